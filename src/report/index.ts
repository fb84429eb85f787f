/**
 * The report manager (hyperfine's export manager is the model): renderers return strings, this one
 * place writes files. Writes are atomic, so an interrupted re-render never leaves half a report.
 */
import path from 'node:path';
import type { RunDocument } from '../schema/run.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { renderMarkdown } from './markdown.ts';
import { renderHtml } from './html.ts';
import { buildReportModel, type ReportModel } from './model.ts';
import { VerdictsDocumentSchema, type VerdictsDocument } from '../schema/verdicts.ts';

export interface RenderedReports {
  'report.md': string;
  'report.html': string;
  /** The verdicts as data (src/schema/verdicts.ts); no render time, so re-renders are byte-identical. */
  'verdicts.json': string;
}

/** verdicts.json's text: validated against its schema before it is written (or printed by `report --json`). */
export function verdictsJson(verdicts: VerdictsDocument): string {
  return `${JSON.stringify(VerdictsDocumentSchema.parse(verdicts), null, 2)}\n`;
}

/** Pure: every report file's content from the document (or its model, when the caller built it) and the render time. */
export function renderReports(doc: RunDocument, options: { renderedAt: string; model?: ReportModel }): RenderedReports {
  // One model for all three files: the analysis behind them runs once.
  const model = options.model ?? buildReportModel(doc);
  const { renderedAt } = options;
  return { 'report.md': renderMarkdown(model, { renderedAt }), 'report.html': renderHtml(model, { renderedAt }), 'verdicts.json': verdictsJson(model.verdicts) };
}

/** Renders and writes report.md, report.html and verdicts.json into `dir`; returns the written paths. */
export async function writeReports(dir: string, doc: RunDocument, renderedAt: string, model?: ReportModel): Promise<string[]> {
  const reports = renderReports(doc, model ? { renderedAt, model } : { renderedAt });
  const written: string[] = [];
  for (const [name, content] of Object.entries(reports)) {
    const file = path.join(dir, name);
    await writeFileAtomic(file, content);
    written.push(file);
  }
  return written;
}
