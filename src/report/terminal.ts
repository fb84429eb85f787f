/**
 * The terminal summary printed after a run or `httpbench report`: the headline first (one row per
 * target/configuration, the ratios, the machine), then the claims and thresholds. Plain text (no
 * colours), so it pastes into issues unchanged. A template over the report model (model.ts). Pure.
 */
import Table from 'cli-table3';
import { thresholdReason } from '../analysis/thresholds.ts';
import { VERDICT_LABEL, THRESHOLD_LABEL, thresholdMeasured } from './common.ts';
import { NOT_RUN_INTRO } from './headline.ts';
import type { ReportModel } from './model.ts';
import { escapeControlChars } from '../util/terminal-text.ts';
import { STORE_HEADERS } from './stores.ts';

/** run.json text may be hand-edited: escape control characters (ANSI escapes) before they print. */
const clean = (text: string): string => escapeControlChars(text);

/** No colour codes: output pastes cleanly into issues and logs. */
const PLAIN = (): { head: string[]; border: string[] } => ({ head: [], border: [] });

/**
 * The summary from the model. A RunDocument is still accepted (the model is then built here) for
 * src/cli/commands/run.ts, which passes the document; once it builds the model itself and shares it
 * with writeReports, this overload can go.
 */
export function renderTerminal(model: ReportModel): string {
  const { claims: verdicts, verdicts: data, headline, banner, failures } = model;
  const out: string[] = [];
  if (banner) out.push(`!!! ${clean(banner)}`);
  for (const p of failures) out.push(`!!! ${clean(p)}`);

  const summary = new Table({ head: headline.header, style: PLAIN() });
  for (const row of headline.rows) summary.push(row.map(clean));
  out.push(summary.toString());
  for (const r of headline.ratios) out.push(`ratio: ${r}`);
  out.push(`machine: ${headline.machine}`);
  if (headline.loadSide) out.push(`load side: ${headline.loadSide}`);
  if (headline.contention) out.push(`not quiet: ${clean(headline.contention)}`);
  if (headline.notRun.length > 0) out.push(NOT_RUN_INTRO, ...headline.notRun.map((n) => `  - ${n}`));

  const stores = model.stores.rows;
  if (stores.length > 0) {
    const side = new Table({ head: STORE_HEADERS, style: PLAIN() });
    for (const row of stores) side.push(row.map(clean));
    out.push('', 'Memory vs PostgreSQL:', side.toString());
  }
  const db = model.stores.database;
  if (db) out.push(clean(db.replaceAll('**', '')));

  if (verdicts.length > 0) {
    const claims = new Table({ head: ['verdict', 'claim', 'article', 'measured'], style: PLAIN(), colWidths: [14, 34, 30, 60], wordWrap: true });
    for (const v of verdicts) claims.push([VERDICT_LABEL[v.verdict], clean(v.id), clean(v.articleFigure), clean(v.measured)]);
    out.push('', `Claims — ${headline.claims} (reasons in report.md / report.html, data in verdicts.json):`, claims.toString());
  }
  if (data.thresholds.length > 0) {
    const table = new Table({ head: ['status', 'threshold', 'measured', 'reason'], style: PLAIN(), colWidths: [14, 40, 30, 54], wordWrap: true });
    for (const t of data.thresholds) table.push([THRESHOLD_LABEL[t.status], clean(t.id === t.text ? t.text : `${t.id}: ${t.text}`), clean(thresholdMeasured(t)), clean(thresholdReason(t))]);
    out.push('', `Thresholds — ${headline.thresholds}:`, table.toString());
  }
  // Belt and braces: nothing from the document reaches the terminal raw, whatever a cell missed.
  return `${escapeControlChars(out.join('\n'), { keepNewlines: true })}\n`;
}
