/**
 * The terminal summary printed after a run or `httpbench report`: the headline (one row per
 * target/configuration, the ratios, the machine), then one line per claim — verdict, id, what was
 * measured against the article's figure — and one per threshold. Short on purpose (the default
 * scenario fits in 40 lines): the claims table with its reasons and what would settle each open
 * claim is in report.md / report.html. Plain text (no colours), so it pastes into issues unchanged.
 * A template over the report model (model.ts). Pure.
 */
import Table from 'cli-table3';
import { briefFigure, type ClaimVerdict } from '../analysis/claims.ts';
import { VERDICT_LABEL, THRESHOLD_LABEL, thresholdMeasured } from './common.ts';
import type { ReportModel } from './model.ts';
import { escapeControlChars } from '../util/terminal-text.ts';

/** run.json text may be hand-edited: escape control characters (ANSI escapes) before they print. */
const clean = (text: string): string => escapeControlChars(text);

/** No colour codes, no lines between rows: output pastes cleanly into issues and logs, and stays short. */
const COMPACT = {
  style: { head: [] as string[], border: [] as string[] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};

/** What was measured, per configuration that ran: "gomaxprocs-1 ≥ 33,434 req/s, gomaxprocs-1-postgres ≥ 12,483 req/s". */
export function measuredLine(v: ClaimVerdict): string {
  const ran = v.byConfiguration.filter((c) => !c.notRun);
  const one = ran.length === 1;
  const parts = ran.map((c) => `${one ? '' : `${c.label} `}${c.measured ? briefFigure(c.measured) : c.measuredText}`);
  return parts.length > 0 ? parts.join(', ') : 'not run';
}

export function renderTerminal(model: ReportModel): string {
  const { claims: verdicts, verdicts: data, headline, banner, failures } = model;
  const out: string[] = [];
  if (banner) out.push(`!!! ${clean(banner)}`);
  for (const p of failures) out.push(`!!! ${clean(p)}`);

  const summary = new Table({ head: headline.header, ...COMPACT });
  for (const row of headline.rows) summary.push(row.map(clean));
  out.push(summary.toString());
  for (const r of headline.ratios) out.push(`ratio: ${r}`);
  out.push(`machine: ${headline.machine}`);
  if (headline.loadSide) out.push(`load side: ${headline.loadSide}`);
  if (headline.contention) out.push(`not quiet: ${clean(headline.contention)}`);
  if (headline.notRun.length > 0) out.push(`Not run by design (identical on this budget): ${headline.notRun.map((n) => n.split(':')[0]).join(', ')}`);

  if (verdicts.length > 0) {
    const label = Math.max(...verdicts.map((v) => VERDICT_LABEL[v.verdict].length));
    const id = Math.max(...verdicts.map((v) => v.id.length));
    out.push('', `Claims — ${headline.claims}:`);
    for (const v of verdicts) out.push(`${VERDICT_LABEL[v.verdict].padEnd(label)}  ${clean(v.id).padEnd(id)}  ${clean(measuredLine(v))} vs article ${clean(v.articleFigure)}`);
  }
  if (data.thresholds.length > 0) {
    out.push('', `Thresholds — ${headline.thresholds}:`);
    for (const t of data.thresholds) out.push(`${THRESHOLD_LABEL[t.status]}  ${clean(t.id === t.text ? t.text : `${t.id}: ${t.text}`)} — ${clean(thresholdMeasured(t))}`);
  }
  out.push('', 'Reasons, what would settle each open claim, and every figure: report.md / report.html (data: verdicts.json).');
  // Belt and braces: nothing from the document reaches the terminal raw, whatever a cell missed.
  return `${escapeControlChars(out.join('\n'), { keepNewlines: true })}\n`;
}
