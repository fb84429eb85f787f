/**
 * report.md: the headline first (the answer: figures, ratios, machine), then the claims and
 * thresholds, then the machine and every figure they rest on. Pure: the same (doc, renderedAt) always gives the same bytes.
 */
import type { RunDocument } from '../schema/run.ts';
import type { ClaimVerdict } from '../analysis/claims.ts';
import type { GroupSummary } from '../analysis/summary.ts';
import { thresholdReason } from '../analysis/thresholds.ts';
import type { ThresholdResult } from '../schema/verdicts.ts';
import { buildReportModel, failureLines, NOT_RUN_INTRO, type Headline, type ReportModel } from './headline.ts';
import {
  VERDICT_LABEL,
  fmt,
  reproduceCommands,
  runStatusBanner,
  stepRows,
  STEP_HEADERS,
  STEP_ALIGN_RIGHT,
  STEP_TABLE_NOTE,
  calibrationSection,
  CALIBRATION_HEADERS,
  CALIBRATION_ALIGN_RIGHT,
  THRESHOLD_LABEL,
  THRESHOLDS_NOTE,
  thresholdMeasured,
  RESOURCES_HEADERS,
  RESOURCES_NOTE,
  resourceRows,
  environmentRows,
  cpusShared,
  SHARED_CPUS_WARNING,
  LIMIT_HEADERS,
  limitRows,
} from './common.ts';
import { databaseText, STORE_ALIGN_RIGHT, STORE_HEADERS, STORE_NOTE, storeRows } from './stores.ts';

export interface RenderOptions {
  /** ISO-8601 time of rendering; the only input besides the document. */
  renderedAt: string;
  /** The figures, verdicts and headline, when the caller already computed them (renderReports). */
  model?: ReportModel;
}

/**
 * Text safe inside a Markdown table cell: pipes escaped, no line breaks, and any "<" that could open
 * an HTML tag or comment written as an entity (a "< 50 ms" stays readable).
 */
export function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z!/?])/g, '&lt;');
}

function table(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(mdCell)).join(' | ')} |`).join('\n');
}

function claimsSection(verdicts: ClaimVerdict[], claimsSource?: string): string {
  if (verdicts.length === 0) return '## Claims\n\nNo claims registry was attached to this run (scenario `claims:` is null).\n';
  const counts = (['confirmed', 'refuted', 'inconclusive'] as const).map((v) => `${verdicts.filter((x) => x.verdict === v).length} ${v}`).join(', ');
  const rows = verdicts.map((v) => [VERDICT_LABEL[v.verdict], v.id, v.articleFigure, v.measured, v.reason]);
  const details = verdicts.map((v) => {
    const lines = [`### ${v.id} — ${VERDICT_LABEL[v.verdict]}`, '', `> ${v.quote}`, '', `- Article figure: ${v.articleFigure} (rule: ${v.ruleText})`];
    for (const c of v.byConfiguration) {
      lines.push(`- **${c.label}** (${c.configurations.join(', ')}${c.cpus !== null ? `, ${c.cpus} CPU(s)` : ''}): ${VERDICT_LABEL[c.verdict]} — measured ${c.measuredText}; ${c.reason}`);
    }
    if (v.ratio) lines.push(`- Ratio beside the absolute figure: ${v.ratio}`);
    if (v.hardwareNote) lines.push(`- Hardware: ${v.hardwareNote}`);
    if (v.settle) lines.push(`- What would settle it: ${v.settle}`);
    return lines.join('\n');
  });
  return [
    '## Claims',
    '',
    ...(claimsSource ? [`Claims quoted from ${claimsSource}.`, ''] : []),
    `${verdicts.length} claims: ${counts}. A verdict names the configurations it holds for; "inconclusive" means the measurement cannot decide, and the reason says why.`,
    '',
    table(['Verdict', 'Claim', 'Article figure', 'Measured', 'Reason'], rows),
    '',
    ...details.flatMap((d) => [d, '']),
  ].join('\n');
}

/** The answer first: the headline table, the ratios, the machine, the counts, then what was not run. */
function headlineSection(h: Headline): string {
  const out = ['## Headline', ''];
  if (h.rows.length > 0) out.push(table(h.header, h.rows, h.header.map((_, i) => (i === 0 ? 'l' : 'r'))), '');
  else out.push('No configuration was measured.', '');
  const facts = [...h.ratios.map((r) => `Ratio: ${r}`), `Machine: ${h.machine}`];
  if (h.claims) facts.push(`Claims: ${h.claims} (below)`);
  if (h.thresholds) facts.push(`Thresholds: ${h.thresholds} (below)`);
  out.push(...facts.map((f) => `- ${mdCell(f)}`));
  out.push('', 'Medians over repetitions with their range; "≥" = a lower bound (the load side was the limit); latency corrected for coordinated omission unless marked.');
  if (h.notRun.length > 0) out.push('', `*${NOT_RUN_INTRO}*`, '', ...h.notRun.map((n) => `- ${mdCell(n)}`));
  return out.join('\n');
}

function thresholdsSection(results: ThresholdResult[]): string | null {
  if (results.length === 0) return null;
  const rows = results.map((r) => [THRESHOLD_LABEL[r.status], r.id === r.text ? r.text : `${r.id}: ${r.text}`, thresholdMeasured(r), thresholdReason(r)]);
  return ['## Thresholds', '', THRESHOLDS_NOTE, '', table(['Status', 'Threshold', 'Measured', 'Reason'], rows)].join('\n');
}

/** Memory vs PostgreSQL, right after the claims (absent when the run used one store). */
function storesSection(doc: RunDocument, groups: GroupSummary[]): string[] {
  const rows = storeRows(doc, groups);
  const db = databaseText(doc);
  if (rows.length === 0 && !db) return [];
  const out = ['## Memory vs PostgreSQL'];
  if (rows.length > 0) out.push('', STORE_NOTE, '', table(STORE_HEADERS, rows, STORE_ALIGN_RIGHT.map((r) => (r ? 'r' : 'l'))));
  if (db) out.push('', db);
  return [out.join('\n')];
}

function environmentSection(doc: RunDocument, groups: GroupSummary[]): string {
  const out = ['## Environment', '', table(['', ''], environmentRows(doc))];
  if (cpusShared(doc)) out.push('', `**Warning:** ${SHARED_CPUS_WARNING}`);
  const limits = limitRows(doc, groups);
  if (limits.length > 0) out.push('', '### Container limits', '', table(LIMIT_HEADERS, limits, ['l', 'r', 'l', 'r', 'r', 'l', 'l']));
  return out.join('\n');
}

function groupSection(doc: RunDocument, g: GroupSummary): string {
  const reps = g.repetitions > 1 ? `, median of ${g.repetitions} repetitions (range in brackets)` : '';
  const out = [`### ${g.name} / ${g.configuration}`, '', `${g.cpus} CPU(s)${reps}.`];
  if (g.problems.length === g.repetitions && g.problems.every((p) => p.status === 'skipped')) {
    // Skipped by design (identical on this budget): a neutral line, not a problem.
    out.push('', `Not run: ${g.problems[0]?.reason ?? 'skipped by the plan'}.`);
    return out.join('\n');
  }
  for (const p of g.problems) out.push('', `**${p.status.toUpperCase()}** (repetition ${p.repetition})${p.reason ? `: ${p.reason}` : ''}`);
  const facts = [
    `max throughput (closed loop) ${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.maxThroughputRps)} req/s${g.maxThroughputIsLowerBound ? ' (load-side limit: a lower bound)' : ''}`,
    `sustainable (open loop, knee) ${g.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(g.sustainableRps)} req/s`,
  ];
  out.push('', `${facts.join('; ')}.`);
  const rows = stepRows(doc, g);
  if (rows.length > 0) out.push('', table(STEP_HEADERS, rows, STEP_ALIGN_RIGHT.map((r) => (r ? 'r' : 'l'))));
  const notes = [...new Set([...(g.maxStep?.notes ?? []), ...g.rates.flatMap((r) => r.notes)])];
  if (notes.length > 0) out.push('', 'Notes:', '', ...notes.map((n) => `- ${mdCell(n)}`));
  return out.join('\n');
}

function floorSection(doc: RunDocument): string[] {
  const c = calibrationSection(doc);
  if (!c) return [];
  const out = ['## Instrument floor', '', c.text];
  if (c.rows.length > 0) out.push('', table(CALIBRATION_HEADERS, c.rows, CALIBRATION_ALIGN_RIGHT.map((r) => (r ? 'r' : 'l'))));
  return [out.join('\n')];
}

function resourcesSection(groups: GroupSummary[]): string {
  const rows = resourceRows(groups);
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

export function renderMarkdown(doc: RunDocument, options: RenderOptions): string {
  const { groups, claims: verdicts, verdicts: data, headline } = options.model ?? buildReportModel(doc);
  const banner = runStatusBanner(doc);
  const problems = failureLines(groups);
  const head = [
    `# httpbench report — ${doc.scenario.name}`,
    '',
    `Rendered ${options.renderedAt} · run started ${doc.startedAt}${doc.finishedAt ? `, finished ${doc.finishedAt}` : ', not finished'} · status **${doc.status}**`,
  ];
  if (banner) head.push('', `> **⚠ ${banner}**`);
  if (problems.length > 0) head.push('', '**Targets that did not complete:**', '', ...problems.map((p) => `- ${mdCell(p)}`));
  const sections = [
    head.join('\n'),
    headlineSection(headline),
    claimsSection(verdicts, doc.claimsSource),
    ...[thresholdsSection(data.thresholds)].filter((x): x is string => x !== null),
    ...storesSection(doc, groups),
    environmentSection(doc, groups),
    [
      '## Results by target and configuration',
      '',
      STEP_TABLE_NOTE,
      '',
      groups.length === 0 ? 'No target results.' : groups.map((g) => groupSection(doc, g)).join('\n\n'),
    ].join('\n'),
    ...floorSection(doc),
    resourcesSection(groups),
    ['## Reproduce', '', '```sh', ...reproduceCommands(doc), '```'].join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}
