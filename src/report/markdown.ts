/**
 * report.md: claims first (what a reader came for), then the machine, then every figure they rest
 * on. Pure: the same (doc, renderedAt) always gives the same bytes.
 */
import type { RunDocument } from '../schema/run.ts';
import { evaluateClaims, type ClaimVerdict } from '../analysis/claims.ts';
import { summarise, type GroupSummary } from '../analysis/summary.ts';
import {
  VERDICT_LABEL,
  fmt,
  reproduceCommands,
  runStatusBanner,
  targetProblems,
  stepRows,
  STEP_HEADERS,
  STEP_ALIGN_RIGHT,
  STEP_TABLE_NOTE,
  calibrationSection,
  CALIBRATION_HEADERS,
  CALIBRATION_ALIGN_RIGHT,
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

function claimsSection(verdicts: ClaimVerdict[]): string {
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
    `${verdicts.length} claims: ${counts}. A verdict names the configurations it holds for; "inconclusive" means the measurement cannot decide, and the reason says why.`,
    '',
    table(['Verdict', 'Claim', 'Article figure', 'Measured', 'Reason'], rows),
    '',
    ...details.flatMap((d) => [d, '']),
  ].join('\n');
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
  const groups = summarise(doc);
  const verdicts = evaluateClaims(doc);
  const banner = runStatusBanner(doc);
  const problems = targetProblems(groups);
  const head = [
    `# httpbench report — ${doc.scenario.name}`,
    '',
    `Rendered ${options.renderedAt} · run started ${doc.startedAt}${doc.finishedAt ? `, finished ${doc.finishedAt}` : ', not finished'} · status **${doc.status}**`,
  ];
  if (banner) head.push('', `> **⚠ ${banner}**`);
  if (problems.length > 0) head.push('', '**Targets that did not complete:**', '', ...problems.map((p) => `- ${mdCell(p)}`));
  const sections = [
    head.join('\n'),
    claimsSection(verdicts),
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
