/**
 * report.md: the headline first (the answer: figures, ratios, machine), then the claims and
 * thresholds, then the machine and every figure they rest on. A template over the report model
 * (model.ts): it lays out, it does not compute. Pure: the same (model, renderedAt) always gives the same bytes.
 */
import type { ClaimVerdict } from '../analysis/claims.ts';
import { thresholdReason } from '../analysis/thresholds.ts';
import type { ThresholdResult } from '../schema/verdicts.ts';
import { NOT_RUN_INTRO, type Headline } from './headline.ts';
import type { GroupDetail, ReportModel } from './model.ts';
import {
  VERDICT_LABEL,
  fmt,
  STEP_HEADERS,
  STEP_ALIGN_RIGHT,
  STEP_TABLE_NOTE,
  CALIBRATION_HEADERS,
  CALIBRATION_ALIGN_RIGHT,
  THRESHOLD_LABEL,
  THRESHOLDS_NOTE,
  thresholdMeasured,
  skippedByDesign,
  RESOURCES_HEADERS,
  RESOURCES_NOTE,
  SHARED_CPUS_WARNING,
  LIMIT_HEADERS,
} from './common.ts';
import { STORE_ALIGN_RIGHT, STORE_HEADERS, STORE_NOTE } from './stores.ts';
import { mdCodeBlock, mdInline } from '../util/markdown-text.ts';

/** Every text interpolated below goes through the one inline rule (src/util/markdown-text.ts). */
const md = mdInline;

export interface RenderOptions {
  /** ISO-8601 time of rendering; the only input besides the model. */
  renderedAt: string;
}

function table(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(md)).join(' | ')} |`).join('\n');
}

function claimsSection(verdicts: ClaimVerdict[], claimsSource?: string): string {
  if (verdicts.length === 0) return '## Claims\n\nNo claims registry was attached to this run (scenario `claims:` is null).\n';
  const counts = (['confirmed', 'refuted', 'inconclusive'] as const).map((v) => `${verdicts.filter((x) => x.verdict === v).length} ${v}`).join(', ');
  // One sentence per verdict in the table; the full reasoning per claim below it.
  const rows = verdicts.map((v) => [VERDICT_LABEL[v.verdict], v.id, v.articleFigure, v.ruleText, v.measured, v.summary]);
  const details = verdicts.map((v) => {
    const lines = [
      `### ${md(v.id)}`,
      '',
      `**${VERDICT_LABEL[v.verdict]}** — ${md(v.summary)}`,
      '',
      `> ${md(v.quote)}`,
      '',
      `- Article figure: ${md(v.articleFigure)}; judged as ${md(v.ruleText)} (reading: ${md(v.reading)})`,
      `- Why: ${md(v.reason)}`,
    ];
    for (const c of v.byConfiguration) {
      lines.push(`- **${md(c.label)}** (${md(c.configurations.join(', '))}${c.cpus !== null ? `, ${c.cpus} CPU(s)` : ''}): ${VERDICT_LABEL[c.verdict]} — measured ${md(c.measuredText)}; ${md(c.reason)}`);
    }
    if (v.ratio) lines.push(`- Ratio beside the absolute figure: ${md(v.ratio)}`);
    if (v.hardwareNote) lines.push(`- Hardware: ${md(v.hardwareNote)}`);
    if (v.settle) lines.push(`- **To settle:** ${md(v.settle)}`);
    return lines.join('\n');
  });
  return [
    '## Claims',
    '',
    ...(claimsSource ? [`Claims quoted from ${md(claimsSource)}.`, ''] : []),
    `${verdicts.length} claims: ${counts}. A verdict names the configurations it holds for; "inconclusive" means the measurement cannot decide, and the reason says why.`,
    '',
    table(['Verdict', 'Claim', 'Article figure', 'Judged as', 'Measured', 'Why'], rows),
    '',
    'The full reasoning per configuration, and what would settle each open claim:',
    '',
    ...details.flatMap((d) => [d, '']),
  ].join('\n');
}

/** The answer first: the headline table, the ratios, the machine, the counts, then what was not run. */
function headlineSection(h: Headline): string {
  const out = ['## Headline', ''];
  if (h.rows.length > 0) out.push(table(h.header, h.rows, h.header.map((_, i) => (i === 0 ? 'l' : 'r'))), '');
  else out.push('No configuration was measured.', '');
  const facts = [...h.ratios.map((r) => `Ratio: ${r}`), `Machine: ${h.machine}`, ...(h.loadSide ? [`Load side: ${h.loadSide}`] : []), ...(h.contention ? [`Not quiet: ${h.contention}`] : [])];
  if (h.claims) facts.push(`Claims: ${h.claims} (below)`);
  if (h.thresholds) facts.push(`Thresholds: ${h.thresholds} (below)`);
  out.push(...facts.map((f) => `- ${md(f)}`));
  out.push('', 'Medians over repetitions with their range; "≥" = a lower bound (the load side was the limit); latency corrected for coordinated omission unless marked.');
  if (h.notRun.length > 0) out.push('', `*${NOT_RUN_INTRO}*`, '', ...h.notRun.map((n) => `- ${md(n)}`));
  return out.join('\n');
}

function thresholdsSection(results: ThresholdResult[]): string | null {
  if (results.length === 0) return null;
  const rows = results.map((r) => [THRESHOLD_LABEL[r.status], r.id === r.text ? r.text : `${r.id}: ${r.text}`, thresholdMeasured(r), thresholdReason(r)]);
  return ['## Thresholds', '', THRESHOLDS_NOTE, '', table(['Status', 'Threshold', 'Measured', 'Reason'], rows)].join('\n');
}

/** Memory vs PostgreSQL, right after the claims (absent when the run used one store). */
function storesSection({ rows, database: db }: ReportModel['stores']): string[] {
  if (rows.length === 0 && !db) return [];
  const out = ['## Memory vs PostgreSQL'];
  if (rows.length > 0) out.push('', STORE_NOTE, '', table(STORE_HEADERS, rows, STORE_ALIGN_RIGHT.map((r) => (r ? 'r' : 'l'))));
  // The paragraph carries run.json text (image, seed command, error): plain text here as in the other renderers.
  if (db) out.push('', md(db.replaceAll('**', '')));
  return [out.join('\n')];
}

function environmentSection({ rows, sharedCpus, limits }: ReportModel['environment']): string {
  const out = ['## Environment', '', table(['', ''], rows)];
  if (sharedCpus) out.push('', `**Warning:** ${SHARED_CPUS_WARNING}`);
  if (limits.length > 0) out.push('', '### Container limits', '', table(LIMIT_HEADERS, limits, ['l', 'r', 'l', 'r', 'r', 'l', 'l']));
  return out.join('\n');
}

function groupSection({ summary: g, stepRows: rows, notes }: GroupDetail): string {
  const reps = g.repetitions > 1 ? `, median of ${g.repetitions} repetitions (range in brackets)` : '';
  const out = [`### ${md(g.name)} / ${md(g.configuration)}`, '', `${g.cpus} CPU(s)${reps}.`];
  if (skippedByDesign(g)) {
    // Skipped by design (identical on this budget): a neutral line, not a problem.
    out.push('', `Not run: ${md(g.problems[0]?.reason ?? 'skipped by the plan')}.`);
    return out.join('\n');
  }
  for (const p of g.problems) out.push('', `**${p.status.toUpperCase()}** (repetition ${p.repetition})${p.reason ? `: ${md(p.reason)}` : ''}`);
  const facts = [
    `max throughput (closed loop) ${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.maxThroughputRps)} req/s${g.maxThroughputIsLowerBound ? ' (load-side limit: a lower bound)' : ''}`,
    `sustainable (open loop, knee) ${g.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(g.sustainableRps)} req/s`,
  ];
  out.push('', `${facts.join('; ')}.`);
  if (rows.length > 0) out.push('', table(STEP_HEADERS, rows, STEP_ALIGN_RIGHT.map((r) => (r ? 'r' : 'l'))));
  if (notes.length > 0) out.push('', 'Notes:', '', ...notes.map((n) => `- ${md(n)}`));
  return out.join('\n');
}

function floorSection(c: ReportModel['calibration']): string[] {
  if (!c) return [];
  const out = ['## Instrument floor', '', md(c.text)];
  if (c.rows.length > 0) out.push('', table(CALIBRATION_HEADERS, c.rows, CALIBRATION_ALIGN_RIGHT.map((r) => (r ? 'r' : 'l'))));
  return [out.join('\n')];
}

function resourcesSection(rows: string[][]): string {
  return [
    '## Resources',
    '',
    RESOURCES_NOTE,
    '',
    table(
      RESOURCES_HEADERS,
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

export function renderMarkdown(model: ReportModel, options: RenderOptions): string {
  const { doc, details, claims: verdicts, verdicts: data, headline, banner, failures: problems } = model;
  const head = [
    `# httpbench report — ${md(doc.scenario.name)}`,
    '',
    `Rendered ${md(options.renderedAt)} · run started ${md(doc.startedAt)}${doc.finishedAt ? `, finished ${md(doc.finishedAt)}` : ', not finished'} · status **${doc.status}**`,
  ];
  if (banner) head.push('', `> **⚠ ${md(banner)}**`);
  if (problems.length > 0) head.push('', '**Targets that did not complete:**', '', ...problems.map((p) => `- ${md(p)}`));
  const sections = [
    head.join('\n'),
    headlineSection(headline),
    claimsSection(verdicts, doc.claimsSource),
    ...[thresholdsSection(data.thresholds)].filter((x): x is string => x !== null),
    ...storesSection(model.stores),
    environmentSection(model.environment),
    [
      '## Results by target and configuration',
      '',
      STEP_TABLE_NOTE,
      '',
      details.length === 0 ? 'No target results.' : details.map(groupSection).join('\n\n'),
    ].join('\n'),
    ...floorSection(model.calibration),
    resourcesSection(model.resources),
    ['## Reproduce', '', mdCodeBlock(model.reproduce, 'sh')].join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}
