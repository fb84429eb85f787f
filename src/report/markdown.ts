/**
 * report.md: claims first (what a reader came for), then the machine, then every figure they rest
 * on. Pure: the same (doc, renderedAt) always gives the same bytes.
 */
import type { RunDocument } from '../schema/run.ts';
import { evaluateClaims, type ClaimVerdict } from '../analysis/claims.ts';
import { summarise, type GroupSummary, type StepSummary } from '../analysis/summary.ts';
import { formatRps } from '../analysis/format.ts';
import {
  VERDICT_LABEL,
  achievedText,
  failedText,
  fmt,
  latencySourceText,
  latencyText,
  reproduceCommands,
  runStatusBanner,
  stepFlags,
  targetProblems,
  RESOURCES_HEADERS,
  RESOURCES_NOTE,
  resourceRows,
  environmentRows,
  cpusShared,
  SHARED_CPUS_WARNING,
  LIMIT_HEADERS,
  limitRows,
} from './common.ts';

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

function environmentSection(doc: RunDocument, groups: GroupSummary[]): string {
  const out = ['## Environment', '', table(['', ''], environmentRows(doc))];
  if (cpusShared(doc)) out.push('', `**Warning:** ${SHARED_CPUS_WARNING}`);
  const limits = limitRows(doc, groups);
  if (limits.length > 0) out.push('', '### Container limits', '', table(LIMIT_HEADERS, limits, ['l', 'r', 'l', 'r', 'r', 'l', 'l']));
  return out.join('\n');
}

function stepRow(label: string, offered: string, s: StepSummary, repetitions: number): string[] {
  return [
    label,
    offered,
    achievedText(s),
    stepFlags(s, repetitions) || '—',
    latencyText(s, 'p50'),
    latencyText(s, 'p95'),
    latencyText(s, 'p99'),
    latencySourceText(s),
    failedText(s),
    fmt.cpu(s.targetCpuPercent),
    fmt.mib(s.memoryPeakBytes),
  ];
}

function groupSection(g: GroupSummary): string {
  const reps = g.repetitions > 1 ? `, median of ${g.repetitions} repetitions (range in brackets)` : '';
  const out = [`### ${g.name} / ${g.configuration}`, '', `${g.cpus} CPU(s)${reps}.`];
  for (const p of g.problems) out.push('', `**${p.status.toUpperCase()}** (repetition ${p.repetition})${p.reason ? `: ${p.reason}` : ''}`);
  const facts = [
    `max throughput (closed loop) ${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.maxThroughputRps)} req/s${g.maxThroughputIsLowerBound ? ' (load-side limit: a lower bound)' : ''}`,
    `sustainable (open loop, knee) ${g.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(g.sustainableRps)} req/s`,
  ];
  out.push('', `${facts.join('; ')}.`);
  const rows: string[][] = [];
  if (g.maxStep) rows.push(stepRow('max (closed loop)', '—', g.maxStep, g.repetitions));
  for (const r of g.rates) rows.push(stepRow(r.kinds.includes('knee') ? 'knee' : 'rate', formatRps(r.offeredRps), r, g.repetitions));
  if (rows.length > 0) {
    out.push(
      '',
      table(
        ['Step', 'Offered req/s', 'Achieved req/s', 'Flags', 'p50 ms', 'p95 ms', 'p99 ms', 'Latency', 'Failed', 'CPU %', 'Mem peak MiB'],
        rows,
        ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
      ),
    );
  }
  const notes = [...new Set([...(g.maxStep?.notes ?? []), ...g.rates.flatMap((r) => r.notes)])];
  if (notes.length > 0) out.push('', 'Notes:', '', ...notes.map((n) => `- ${mdCell(n)}`));
  return out.join('\n');
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
    environmentSection(doc, groups),
    [
      '## Results by target and configuration',
      '',
      'Latency in milliseconds. "corrected" = from the intended send time (wrk2 model, no coordinated omission); "uncorrected" = from the actual write (the closed-loop step has only this). "≥" marks a lower bound: the load generator, not the target, was the limit. "saturated" = past the target\'s capacity (SLO p99 or error rate exceeded). Failed = errors + timeouts + non-2xx.',
      '',
      groups.length === 0 ? 'No target results.' : groups.map(groupSection).join('\n\n'),
    ].join('\n'),
    resourcesSection(groups),
    ['## Reproduce', '', '```sh', ...reproduceCommands(doc), '```'].join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}
