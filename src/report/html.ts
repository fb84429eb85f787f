/**
 * report.html: one self-contained file — inline CSS, inline SVG charts (src/report/svg.ts), no
 * scripts, no network at view time. Every text from the document is escaped. A template over the
 * report model (model.ts), which also decodes the stored histograms the charts plot. Pure: the same
 * (model, renderedAt) always gives the same bytes.
 */
import type { ClaimVerdict } from '../analysis/claims.ts';
import type { GroupSummary, StepSummary } from '../analysis/summary.ts';
import { formatNumber, formatRps, formatMsFromUs } from '../util/format.ts';
import { escapeXml } from '../util/xml.ts';
import { PALETTE, SPECTRUM_TICKS, lineChart, spectrumX, type Series } from './svg.ts';
import { articleChart } from './article-chart.ts';
import { latencyPanels } from './latency-panels.ts';
import { STORE_ALIGN_RIGHT, STORE_HEADERS, STORE_NOTE } from './stores.ts';
import { RESOURCES_HEADERS, RESOURCES_NOTE, SHARED_CPUS_WARNING, LIMIT_HEADERS, VERDICT_LABEL, achievedText, fmt, stepFlags, STEP_HEADERS, STEP_ALIGN_RIGHT, STEP_TABLE_NOTE, CALIBRATION_HEADERS, CALIBRATION_ALIGN_RIGHT } from './common.ts';
import type { RenderOptions } from './markdown.ts';
import { thresholdReason } from '../analysis/thresholds.ts';
import type { ThresholdResult } from '../schema/verdicts.ts';
import { NOT_RUN_INTRO, type Headline } from './headline.ts';
import type { GroupDetail, ReportModel } from './model.ts';
import { THRESHOLD_LABEL, THRESHOLDS_NOTE, thresholdMeasured, skippedByDesign } from './common.ts';

const esc = escapeXml;

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1400px; padding: 24px; color: #1a1a1a; background: #fafafa; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { margin-top: 36px; border-bottom: 2px solid #ddd; padding-bottom: 4px; } h3 { margin-top: 24px; }
.meta { color: #555; font-size: 14px; }
.banner { background: #b00020; color: #fff; font-weight: 700; padding: 12px 16px; border-radius: 6px; margin: 16px 0; font-size: 16px; }
.problems { background: #fff3f3; border-left: 4px solid #b00020; padding: 8px 16px; }
table { border-collapse: collapse; margin: 12px 0; background: #fff; font-size: 12.5px; }
.scroll { overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #d8d8d8; padding: 5px 8px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; } td:first-child { white-space: nowrap; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { font-weight: 700; padding: 2px 6px; border-radius: 4px; white-space: nowrap; font-size: 12px; }
.v-confirmed { background: #d9f2e3; color: #0b5d2a; } .v-refuted { background: #fbdada; color: #8a1010; } .v-inconclusive { background: #fff0c2; color: #6b4e00; }
table.claims { width: 100%; table-layout: fixed; } .claims col.c-verdict { width: 124px; } .claims col.c-claim { width: 22%; } .claims col.c-article { width: 15%; } .claims col.c-measured { width: 18%; }
.claims td { overflow-wrap: anywhere; } .claims td.reason { font-size: 12.5px; color: #222; }
.claims td.reason details { margin-top: 6px; font-size: 12px; color: #333; } .claims td.reason details ul { padding-left: 18px; margin: 4px 0; }
.claims .settle { display: block; margin-top: 4px; color: #5a4300; } .claims .rule { display: block; color: #444; font-size: 12px; margin-top: 3px; }
.wide { overflow-x: auto; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px; margin: 12px 0; }
.wide svg { display: block; max-width: none; }
.vs h2 { margin-top: 20px; } .vs p { margin: 4px 0; font-size: 13px; color: #444; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px; }
figure svg { width: 100%; height: auto; } figcaption { font-size: 12px; color: #555; padding: 4px 8px; }
details { margin: 6px 0; } summary { cursor: pointer; }
blockquote { margin: 4px 0 8px; padding: 4px 12px; border-left: 3px solid #bbb; color: #444; font-style: italic; }
pre { background: #1e1e1e; color: #eee; padding: 12px; border-radius: 6px; overflow-x: auto; }
.note { font-size: 13px; color: #444; }
.headline { background: #fff; border: 1px solid #ccd6e0; border-left: 4px solid #2a5db0; border-radius: 6px; padding: 4px 16px 8px; margin: 12px 0; }
.headline h2 { margin-top: 8px; border: 0; } .headline table { font-size: 14px; } .headline ul { margin: 4px 0; padding-left: 20px; font-size: 13.5px; }
.notrun { background: #f2f4f7; border-left: 4px solid #8a94a6; padding: 6px 16px; font-size: 13px; color: #333; }
.t-pass { background: #d9f2e3; color: #0b5d2a; } .t-fail { background: #fbdada; color: #8a1010; } .t-not-measured { background: #fbdada; color: #8a1010; }
`;

function verdictBadge(v: ClaimVerdict['verdict']): string {
  return `<span class="verdict v-${v}">${VERDICT_LABEL[v]}</span>`;
}

function tableHtml(header: string[], rows: string[][], numeric: boolean[] = [], cls = ''): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  // Wide step tables scroll inside their box instead of running off the page.
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** Memory vs PostgreSQL, right after the claims (absent when the run used one store). */
function storesHtml({ rows, database: db }: ReportModel['stores']): string[] {
  if (rows.length === 0 && !db) return [];
  const out = ['<h2 id="stores">Memory vs PostgreSQL</h2>'];
  if (rows.length > 0) out.push(`<p class="note">${esc(STORE_NOTE)}</p>`, tableHtml(STORE_HEADERS, rows, STORE_ALIGN_RIGHT));
  if (db) out.push(`<p>${esc(db.replaceAll('**', ''))}</p>`);
  return out;
}

function claimsHtml(verdicts: ClaimVerdict[], claimsSource?: string): string {
  if (verdicts.length === 0) return '<h2 id="claims">Claims</h2><p>No claims registry was attached to this run.</p>';
  // One sentence per verdict in the table; the full reasoning, per configuration, one click away.
  const fullReasoning = (v: ClaimVerdict) => {
    const items = v.byConfiguration.map(
      (c) => `<li><strong>${esc(c.label)}</strong> (${esc(c.configurations.join(', '))}${c.cpus !== null ? `, ${c.cpus} CPU(s)` : ''}): ${verdictBadge(c.verdict)} measured ${esc(c.measuredText)} — ${esc(c.reason)}</li>`,
    );
    items.push(`<li>Overall: ${esc(v.reason)}</li>`);
    if (v.ratio) items.push(`<li>Ratio beside the absolute figure: ${esc(v.ratio)}</li>`);
    if (v.hardwareNote) items.push(`<li>Hardware: ${esc(v.hardwareNote)}</li>`);
    return `<details><summary>Full reasoning</summary><ul>${items.join('')}</ul></details>`;
  };
  const rows = verdicts
    .map(
      (v) =>
        `<tr id="claim-${esc(v.id)}"><td>${verdictBadge(v.verdict)}</td><td><strong>${esc(v.id)}</strong><blockquote>${esc(v.quote)}</blockquote></td>` +
        `<td>${esc(v.articleFigure)}<span class="rule">judged as ${esc(v.ruleText)}</span><span class="rule">reading: ${esc(v.reading)}</span></td><td>${esc(v.measured)}</td>` +
        `<td class="reason"><span class="summary">${esc(v.summary)}</span>${v.settle ? `<span class="settle"><strong>To settle:</strong> ${esc(v.settle)}</span>` : ''}${fullReasoning(v)}</td></tr>`,
    )
    .join('\n');
  const counts = (['confirmed', 'refuted', 'inconclusive'] as const).map((k) => `${verdicts.filter((v) => v.verdict === k).length} ${k}`).join(', ');
  return [
    '<h2 id="claims">Claims</h2>',
    ...(claimsSource ? [`<p>Claims quoted from ${esc(claimsSource)}.</p>`] : []),
    `<p>${verdicts.length} claims: ${esc(counts)}. A verdict names the configurations it holds for; “inconclusive” means the measurement cannot decide, and the reason says why.</p>`,
    `<table class="claims"><colgroup><col class="c-verdict"><col class="c-claim"><col class="c-article"><col class="c-measured"><col></colgroup><thead><tr><th>Verdict</th><th>Claim</th><th>Article figure</th><th>Measured</th><th>Why</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
  ].join('\n');
}

/** The picture a fact-checker came for: the article's figure beside ours, one row per claim. */
function articleVsRunHtml(verdicts: ClaimVerdict[]): string {
  return [
    '<section class="vs" id="article-vs-run">',
    '<h2>The article vs this run</h2>',
    `<div class="wide">${articleChart(verdicts)}</div>`,
    '<p>Hover a mark for its figures; the reasons and what would settle each open claim are in the <a href="#claims">claims table</a>, the same data in verdicts.json (<code>band</code>, <code>byConfiguration[].measured</code>).</p>',
    '</section>',
  ].join('\n');
}

/** The answer first: the headline table, ratios, machine and counts, in one box above the claims. */
function headlineHtml(h: Headline): string {
  const facts = [...h.ratios.map((r) => `Ratio: ${r}`), `Machine: ${h.machine}`, ...(h.loadSide ? [`Load side: ${h.loadSide}`] : []), ...(h.contention ? [`Not quiet: ${h.contention}`] : [])];
  if (h.claims) facts.push(`Claims: ${h.claims} (below)`);
  if (h.thresholds) facts.push(`Thresholds: ${h.thresholds} (below)`);
  const out = [
    '<section class="headline" id="headline">',
    '<h2>Headline</h2>',
    h.rows.length > 0 ? tableHtml(h.header, h.rows, h.header.map((_, i) => i > 0)) : '<p>No configuration was measured.</p>',
    `<ul>${facts.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`,
    '<p class="note">Medians over repetitions with their range; “≥” = a lower bound (the load side was the limit); latency corrected for coordinated omission unless marked.</p>',
    '</section>',
  ];
  if (h.notRun.length > 0) out.push(`<div class="notrun">${esc(NOT_RUN_INTRO)}<ul>${h.notRun.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>`);
  return out.join('\n');
}

function thresholdsHtml(results: ThresholdResult[]): string {
  if (results.length === 0) return '';
  const rows = results
    .map(
      (r) =>
        `<tr><td><span class="verdict t-${r.status}">${THRESHOLD_LABEL[r.status]}</span></td><td><strong>${esc(r.id)}</strong>${r.id === r.text ? '' : `<br><span class="note">${esc(r.text)}</span>`}</td><td>${esc(thresholdMeasured(r))}</td><td class="reason">${esc(thresholdReason(r))}</td></tr>`,
    )
    .join('\n');
  return [
    '<h2 id="thresholds">Thresholds</h2>',
    `<p class="note">${esc(THRESHOLDS_NOTE.replace(/`/g, ''))}</p>`,
    `<table class="thresholds"><thead><tr><th>Status</th><th>Threshold</th><th>Measured</th><th>Reason</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
  ].join('\n');
}

function pointTitle(g: GroupSummary, s: StepSummary, offered: number, what: string): string {
  const flags = stepFlags(s, g.repetitions);
  return `${g.name}/${g.configuration} @ ${formatRps(offered)} req/s: ${what}${flags ? ` (${flags})` : ''}`;
}

function throughputChart(groups: GroupSummary[]): string {
  const offered = groups.flatMap((g) => g.rates.map((r) => r.offeredRps));
  const series: Series[] = groups.map((g, i) => ({
    name: `${g.name}/${g.configuration}`,
    color: PALETTE[i % PALETTE.length]!,
    points: g.rates.map((r) => ({
      x: r.offeredRps,
      y: r.achievedRps.median,
      hollow: r.saturated > 0 || r.generatorBound > 0,
      title: pointTitle(g, r, r.offeredRps, `achieved ${achievedText(r)} req/s`),
    })),
  }));
  if (offered.length > 0) {
    const lo = Math.min(...offered);
    const hi = Math.max(...offered);
    series.push({ name: 'achieved = offered', color: '#999999', dash: '4 4', markers: false, points: [{ x: lo, y: lo }, { x: hi, y: hi }] });
  }
  return lineChart({
    title: 'Achieved vs offered throughput',
    subtitle: 'points below the grey line: the target fell behind the offered rate (hollow = saturated or generator-bound)',
    x: { label: 'offered rate, req/s (log)', scale: 'log' },
    y: { label: 'achieved, req/s (log)', scale: 'log' },
    series,
  });
}

function memoryChart(groups: GroupSummary[]): string {
  const series: Series[] = groups.map((g, i) => ({
    name: `${g.name}/${g.configuration}`,
    color: PALETTE[i % PALETTE.length]!,
    points: g.rates
      .filter((r) => r.memoryPeakBytes !== null)
      .map((r) => ({ x: r.offeredRps, y: r.memoryPeakBytes!.median / 1048576, hollow: r.saturated > 0, title: pointTitle(g, r, r.offeredRps, `peak ${fmt.mib(r.memoryPeakBytes)} MiB`) })),
  }));
  return lineChart({
    title: 'Container memory peak per step',
    subtitle: 'usage minus inactive page cache, MiB (2^20 bytes)',
    x: { label: 'offered rate, req/s (log)', scale: 'log' },
    y: { label: 'memory peak, MiB', scale: 'linear' },
    series,
  });
}

/**
 * Percentile spectrum of each target/configuration's "at scale" step — the highest offered rate that
 * was neither saturated nor generator-bound — in its first usable repetition (model.ts), decoded from
 * the stored histogram (corrected when present). HdrHistogram's percentile-distribution plot.
 */
function spectrumChart(details: GroupDetail[]): { svg: string; notes: string[] } {
  const series: Series[] = [];
  const notes: string[] = [];
  details.forEach(({ summary: g, atScale: found, spectrum }, i) => {
    if (found === null || spectrum === null) return;
    if ('note' in spectrum) {
      notes.push(spectrum.note);
      return;
    }
    const { result, step } = found;
    const points: Series['points'] = spectrum.points.map(({ percentile: p, us }) => ({ x: spectrumX(p), y: us / 1000, title: `${g.name}/${g.configuration} p${formatNumber(p, 3)}: ${formatMsFromUs(us)} ms` }));
    points.push({ x: spectrum.maxX, y: spectrum.maxUs / 1000, title: `${g.name}/${g.configuration} max: ${formatMsFromUs(spectrum.maxUs)} ms` });
    series.push({ name: `${g.name}/${g.configuration} @ ${formatRps(step.offeredRps!)} req/s (rep ${result.repetition}, ${spectrum.source})`, color: PALETTE[i % PALETTE.length]!, markers: false, points });
  });
  const maxTick = Math.max(1, ...series.flatMap((s) => s.points.map((p) => Math.ceil(p.x))));
  const svg = lineChart({
    title: 'Latency by percentile (at scale)',
    subtitle: 'highest unsaturated, generator-unbound step of each target/configuration, from the stored HDR histogram',
    x: { label: 'percentile (log scale of 1/(1−p))', scale: 'linear', ticks: SPECTRUM_TICKS.filter((t) => t.value <= maxTick), min: 0, max: maxTick },
    y: { label: 'latency, ms (log)', scale: 'log' },
    series,
  });
  return { svg, notes };
}

/**
 * Corrected p99 second by second through each group's "at scale" step, from the per-interval
 * HdrHistogram log: a stall shows as a spike here even when the step's overall p99 hides it.
 */
function timelineChart(details: GroupDetail[]): { svg: string; notes: string[] } {
  const series: Series[] = [];
  const notes: string[] = [];
  details.forEach(({ summary: g, atScale: found, timeline }, i) => {
    if (found === null || timeline === null) return;
    if ('note' in timeline) {
      notes.push(timeline.note);
      return;
    }
    const points = timeline.map((iv) => ({
      x: iv.endS,
      y: iv.p99Us / 1000,
      title: `${g.name}/${g.configuration} ${formatNumber(iv.startS, 1)}–${formatNumber(iv.endS, 1)} s: p99 ${formatMsFromUs(iv.p99Us)} ms (${formatNumber(iv.responses)} responses)`,
    }));
    series.push({ name: `${g.name}/${g.configuration} @ ${formatRps(found.step.offeredRps!)} req/s (rep ${found.result.repetition})`, color: PALETTE[i % PALETTE.length]!, markers: true, points });
  });
  const svg = lineChart({
    title: 'p99 over time (at scale)',
    subtitle: 'corrected p99 of each interval of the step, from the stored HdrHistogram interval log',
    x: { label: 'time into the step, s', scale: 'linear' },
    y: { label: 'p99 latency, ms (log)', scale: 'log' },
    series,
  });
  return { svg, notes };
}

function groupHtml({ summary: g, stepRows: rows, notes }: GroupDetail): string {
  const out = [`<h3>${esc(g.name)} / ${esc(g.configuration)}</h3>`];
  out.push(`<p>${g.cpus} CPU(s)${g.repetitions > 1 ? `, median of ${g.repetitions} repetitions (range in brackets)` : ''}. Max throughput ${g.maxThroughputIsLowerBound ? '≥ ' : ''}${esc(fmt.rps(g.maxThroughputRps))} req/s${g.maxThroughputIsLowerBound ? ' (generator-bound: a lower bound)' : ''}; sustainable ${g.sustainableIsLowerBound ? '≥ ' : ''}${esc(fmt.rps(g.sustainableRps))} req/s.</p>`);
  if (skippedByDesign(g)) {
    // Skipped by design (identical on this budget): a neutral line, not a problem.
    out.push(`<p class="notrun">Not run: ${esc(g.problems[0]?.reason ?? 'skipped by the plan')}.</p>`);
    return out.join('\n');
  }
  for (const p of g.problems) out.push(`<p class="problems"><strong>${esc(p.status.toUpperCase())}</strong> (repetition ${p.repetition})${p.reason ? `: ${esc(p.reason)}` : ''}</p>`);
  if (rows.length > 0) out.push(tableHtml(STEP_HEADERS, rows, STEP_ALIGN_RIGHT));
  if (notes.length > 0) out.push(`<ul class="note">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

function environmentHtml({ rows, sharedCpus, limits }: ReportModel['environment']): string {
  const out = ['<h2 id="environment">Environment</h2>', tableHtml(['', ''], rows)];
  if (sharedCpus) out.push(`<p class="problems"><strong>Warning:</strong> ${esc(SHARED_CPUS_WARNING)}</p>`);
  if (limits.length > 0) out.push('<h3>Container limits</h3>', tableHtml(LIMIT_HEADERS, limits, [false, true, false, true, true, false, false]));
  return out.join('\n');
}

function resourcesHtml(rows: string[][]): string {
  return [
    '<h2 id="resources">Resources</h2>',
    `<p class="note">${escapeXml(RESOURCES_NOTE)}</p>`,
    tableHtml(RESOURCES_HEADERS, rows, [false, true, true, true, true, true, true, true]),
  ].join('\n');
}

export function renderHtml(model: ReportModel, options: RenderOptions): string {
  const { doc, groups, details, claims: verdicts, verdicts: data, headline, banner, failures: problems } = model;
  const spectrum = spectrumChart(details);
  const timeline = timelineChart(details);
  const body: string[] = [];
  body.push(`<h1>httpbench report — ${esc(doc.scenario.name)}</h1>`);
  body.push(`<p class="meta">Rendered ${esc(options.renderedAt)} · run started ${esc(doc.startedAt)}${doc.finishedAt ? `, finished ${esc(doc.finishedAt)}` : ', not finished'} · status <strong>${esc(doc.status)}</strong></p>`);
  if (banner) body.push(`<div class="banner" role="alert">⚠ ${esc(banner)}</div>`);
  if (problems.length > 0) body.push(`<div class="problems"><strong>Targets that did not complete:</strong><ul>${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`);
  if (verdicts.length > 0) body.push(articleVsRunHtml(verdicts));
  body.push(headlineHtml(headline));
  body.push(claimsHtml(verdicts, doc.claimsSource));
  const thresholds = thresholdsHtml(data.thresholds);
  if (thresholds) body.push(thresholds);
  body.push(...storesHtml(model.stores));
  body.push('<h2 id="charts">Charts</h2>');
  body.push(`<div class="wide">${latencyPanels(model.latencyPanels)}<p class="note">Latency vs offered rate: medians over repetitions, corrected for coordinated omission where measured; the grey dashed line is what the instrument itself measures at that rate against the calibration server — a figure near it is mostly the instrument's.</p></div>`);
  body.push('<div class="charts">');
  body.push(`<figure>${throughputChart(groups)}<figcaption>Open-loop steps; the closed-loop maximum is in the tables below.</figcaption></figure>`);
  body.push(`<figure>${memoryChart(groups)}<figcaption>Peak container memory during each step.</figcaption></figure>`);
  body.push(`<figure>${spectrum.svg}<figcaption>${spectrum.notes.length > 0 ? esc(spectrum.notes.join('; ')) : 'x: percentile on a log scale of 1/(1−p), as HdrHistogram plots it.'}</figcaption></figure>`);
  body.push(`<figure>${timeline.svg}<figcaption>${timeline.notes.length > 0 ? esc(timeline.notes.join('; ')) : 'One point per interval (1 s); a stall shows as a spike that the step’s overall p99 can hide.'}</figcaption></figure>`);
  body.push('</div>');
  body.push(environmentHtml(model.environment));
  body.push('<h2 id="results">Results by target and configuration</h2>');
  body.push(`<p class="note">${esc(STEP_TABLE_NOTE)}</p>`);
  body.push(details.length === 0 ? '<p>No target results.</p>' : details.map(groupHtml).join('\n'));
  const floor = model.calibration;
  if (floor) {
    body.push('<h2 id="floor">Instrument floor</h2>', `<p class="note">${esc(floor.text)}</p>`);
    if (floor.rows.length > 0) body.push(tableHtml(CALIBRATION_HEADERS, floor.rows, CALIBRATION_ALIGN_RIGHT));
  }
  body.push(resourcesHtml(model.resources));
  body.push(`<h2 id="reproduce">Reproduce</h2><pre>${esc(model.reproduce.join('\n'))}</pre>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No scripts, no external loads: the policy makes that a property of the file, not a promise.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>httpbench report — ${esc(doc.scenario.name)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
