/**
 * The terminal summary printed after a run or `httpbench report`: one row per target/configuration,
 * then the claims. Plain text (no colours), so it pastes into issues unchanged. Pure.
 */
import Table from 'cli-table3';
import type { RunDocument } from '../schema/run.ts';
import { evaluateClaims } from '../analysis/claims.ts';
import { summarise } from '../analysis/summary.ts';
import { formatRps } from '../analysis/format.ts';
import { VERDICT_LABEL, fmt, runStatusBanner, targetProblems } from './common.ts';
import { escapeControlChars } from '../util/terminal-text.ts';
import { databaseText, STORE_HEADERS, storeRows } from './stores.ts';

/** run.json text may be hand-edited: escape control characters (ANSI escapes) before they print. */
const clean = (text: string): string => escapeControlChars(text);

/** No colour codes: output pastes cleanly into issues and logs. */
const PLAIN = (): { head: string[]; border: string[] } => ({ head: [], border: [] });

export function renderTerminal(doc: RunDocument): string {
  const groups = summarise(doc);
  const out: string[] = [];
  const banner = runStatusBanner(doc);
  if (banner) out.push(`!!! ${clean(banner)}`);
  for (const p of targetProblems(groups)) out.push(`!!! ${clean(p)}`);

  const summary = new Table({
    head: ['target/configuration', 'CPUs', 'max req/s', 'sustainable req/s', 'p99 ms at sustainable', 'mem peak MiB', 'req/CPU-s'],
    style: PLAIN(),
  });
  for (const g of groups) {
    const top = [...g.rates].reverse().find((r) => r.saturated === 0 && r.generatorBound === 0);
    summary.push([
      clean(`${g.name}/${g.configuration}`),
      String(g.cpus),
      `${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.maxThroughputRps)}`,
      `${g.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(g.sustainableRps)}`,
      top ? clean(`${fmt.msFromUs(top.latencyUs.p99)} @ ${formatRps(top.offeredRps)} (${top.latencySource})`) : '—',
      fmt.mib(g.memoryPeakBytes),
      fmt.perCpuS(g.requestsPerCpuSecond),
    ]);
  }
  out.push(summary.toString());

  const stores = storeRows(doc, groups);
  if (stores.length > 0) {
    const side = new Table({ head: STORE_HEADERS, style: PLAIN() });
    for (const row of stores) side.push(row.map(clean));
    out.push('', 'Memory vs PostgreSQL:', side.toString());
  }
  const db = databaseText(doc);
  if (db) out.push(clean(db.replaceAll('**', '')));

  const verdicts = evaluateClaims(doc);
  if (verdicts.length > 0) {
    const claims = new Table({ head: ['verdict', 'claim', 'article', 'measured'], style: PLAIN(), colWidths: [14, 34, 30, 60], wordWrap: true });
    for (const v of verdicts) claims.push([VERDICT_LABEL[v.verdict], clean(v.id), clean(v.articleFigure), clean(v.measured)]);
    out.push('', 'Claims (reasons in report.md / report.html):', claims.toString());
  }
  // Belt and braces: nothing from the document reaches the terminal raw, whatever a cell missed.
  return `${escapeControlChars(out.join('\n'), { keepNewlines: true })}\n`;
}
