/**
 * The terminal summary printed after a run or `httpbench report`: one row per target/configuration,
 * then the claims. Plain text (no colours), so it pastes into issues unchanged. Pure.
 */
import Table from 'cli-table3';
import type { RunDocument } from '../schema/run.ts';
import { evaluateClaims } from '../analysis/claims.ts';
import { summarise } from '../analysis/summary.ts';
import { formatRps } from '../analysis/format.ts';
import { VERDICT_LABEL, fmt, latencyText, runStatusBanner, targetProblems } from './common.ts';

/** No colour codes: output pastes cleanly into issues and logs. */
const PLAIN = (): { head: string[]; border: string[] } => ({ head: [], border: [] });

export function renderTerminal(doc: RunDocument): string {
  const groups = summarise(doc);
  const out: string[] = [];
  const banner = runStatusBanner(doc);
  if (banner) out.push(`!!! ${banner}`);
  for (const p of targetProblems(groups)) out.push(`!!! ${p}`);

  const summary = new Table({
    head: ['target/configuration', 'CPUs', 'max req/s', 'sustainable req/s', 'p99 ms at sustainable', 'mem peak MiB', 'req/CPU-s'],
    style: PLAIN(),
  });
  for (const g of groups) {
    const top = [...g.rates].reverse().find((r) => r.saturated === 0 && r.generatorBound === 0);
    summary.push([
      `${g.name}/${g.configuration}`,
      String(g.cpus),
      `${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.maxThroughputRps)}`,
      `${g.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(g.sustainableRps)}`,
      top ? `${latencyText(top, 'p99')} @ ${formatRps(top.offeredRps)} (${top.latencySource})` : '—',
      fmt.mib(g.memoryPeakBytes),
      fmt.perCpuS(g.requestsPerCpuSecond),
    ]);
  }
  out.push(summary.toString());

  const verdicts = evaluateClaims(doc);
  if (verdicts.length > 0) {
    const claims = new Table({ head: ['verdict', 'claim', 'article', 'measured'], style: PLAIN(), colWidths: [14, 34, 30, 60], wordWrap: true });
    for (const v of verdicts) claims.push([VERDICT_LABEL[v.verdict], v.id, v.articleFigure, v.measured]);
    out.push('', 'Claims (reasons in report.md / report.html):', claims.toString());
  }
  return `${out.join('\n')}\n`;
}
