/**
 * Pure part of `npm run bench:contention`: what one run says about its own contention marks. A quiet
 * run should mark nothing (every mark is false); a run with a hog on the generator's CPU should mark
 * every step it measured (every unmarked step is a miss). Tested with exact figures in
 * tests/unit/bench/contention.test.ts.
 */
import { contentionHeadline, contentionReason, contentionSteps } from '../src/analysis/contention.ts';
import type { RunDocument } from '../src/schema/run.ts';

export interface RunMarks {
  /** Steps with contention figures. */
  measured: number;
  /** Labels of the steps marked contended. */
  marked: string[];
  /** Labels of the measured steps not marked. */
  unmarked: string[];
  /** Largest share other processes took of either CPU set in any step, percent. */
  maxOtherPercent: number;
  /** Largest steal of either CPU set in any step, percent. */
  maxStealPercent: number;
  /** The report's one line on contention, or null when it has none. */
  headline: string | null;
}

export function runMarks(doc: RunDocument): RunMarks {
  const out: RunMarks = { measured: 0, marked: [], unmarked: [], maxOtherPercent: 0, maxStealPercent: 0, headline: contentionHeadline(doc) };
  for (const s of contentionSteps(doc)) {
    const c = s.contention;
    if (c === undefined) continue;
    out.measured++;
    (contentionReason(c) === null ? out.unmarked : out.marked).push(s.label);
    out.maxOtherPercent = Math.max(out.maxOtherPercent, c.generatorCpusOtherPercent, c.targetCpusOtherPercent ?? 0);
    out.maxStealPercent = Math.max(out.maxStealPercent, c.generatorCpusStealPercent, c.targetCpusStealPercent ?? 0);
  }
  return out;
}

/** One Markdown table row: run, kind, steps measured, marked, the largest shares, what is wrong. */
export function marksRow(name: string, kind: 'quiet' | 'hog', m: RunMarks): string {
  const wrong =
    kind === 'quiet'
      ? m.marked.length === 0 ? 'none' : `${m.marked.length} false mark(s): ${m.marked.join('; ')}`
      : m.unmarked.length === 0 ? 'none' : `${m.unmarked.length} step(s) not marked: ${m.unmarked.join('; ')}`;
  return `| ${name} | ${kind} | ${m.measured} | ${m.marked.length} | ${m.maxOtherPercent.toFixed(1)} | ${m.maxStealPercent.toFixed(1)} | ${m.headline === null ? 'no' : 'yes'} | ${wrong} |`;
}
