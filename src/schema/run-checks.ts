/**
 * Cross-field checks on a run.json that passed the schema: relations the schema cannot state, which a
 * run written by httpbench always satisfies and a hand-edited or corrupted file may not. Readers run
 * them so `report` and `compare` never present figures that cannot be true (completed = 10 × sent, a
 * histogram that does not decode or disagrees with its percentiles).
 */
import { decodeHistogram, decodeIntervalLog } from '../samples/histogram.ts';
import type { PercentilesUs, RunDocument, Step } from './run.ts';

/** Total count of an encoded histogram, or the decoding problem. */
function histogramCount(encoded: string): number | string {
  try {
    const count = decodeHistogram(encoded).totalCount;
    return Number.isSafeInteger(count) && count >= 0 ? count : `decodes to an invalid total count ${count}`;
  } catch (error) {
    return `does not decode (${error instanceof Error ? error.message : String(error)})`;
  }
}

function checkStep(step: Step, at: string): string[] {
  const problems: string[] = [];
  const c = step.counts;
  if (c.completed > c.sent) problems.push(`${at}.counts.completed: ${c.completed} is more than sent (${c.sent})`);
  if (c.timeouts > c.sent) problems.push(`${at}.counts.timeouts: ${c.timeouts} is more than sent (${c.sent})`);
  if (c.non2xx > c.completed) problems.push(`${at}.counts.non2xx: ${c.non2xx} is more than completed (${c.completed})`);

  // Written as nullable so a schema that makes "no data" latency null needs no change here.
  const latency: Array<['uncorrected' | 'corrected', PercentilesUs | null, string | null]> = [
    ['uncorrected', step.latencyUs.uncorrected as PercentilesUs | null, step.histograms.uncorrected as string | null],
    ['corrected', step.latencyUs.corrected, step.histograms.corrected],
  ];
  for (const [name, percentiles, encoded] of latency) {
    if (encoded === null) {
      if (percentiles !== null) problems.push(`${at}.histograms.${name}: null but latencyUs.${name} has figures`);
      continue;
    }
    const count = histogramCount(encoded);
    if (typeof count === 'string') {
      problems.push(`${at}.histograms.${name}: ${count}`);
      continue;
    }
    const expected = percentiles?.count ?? 0;
    if (count !== expected) problems.push(`${at}.histograms.${name}: holds ${count} values but latencyUs.${name}.count is ${expected}`);
    if (count > c.completed) problems.push(`${at}.histograms.${name}: holds ${count} values, more than completed (${c.completed})`);
  }
  if (step.histograms.lateness !== null) {
    const count = histogramCount(step.histograms.lateness);
    if (typeof count === 'string') problems.push(`${at}.histograms.lateness: ${count}`);
  }
  if (step.histograms.intervalLog !== null) {
    try {
      decodeIntervalLog(step.histograms.intervalLog);
    } catch (error) {
      problems.push(`${at}.histograms.intervalLog: does not decode (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return problems;
}

/** Every inconsistency, one line each, named by its JSON path (e.g. "targets[0].steps[2].counts.completed: …"). */
export function crossCheckRun(doc: RunDocument): string[] {
  const problems: string[] = [];
  doc.targets.forEach((target, i) => {
    target.steps.forEach((step, j) => problems.push(...checkStep(step, `targets[${i}].steps[${j}]`)));
    if (target.memory && target.memory.idleBytes > target.memory.peakBytes) {
      problems.push(`targets[${i}].memory.idleBytes: ${target.memory.idleBytes} is more than peakBytes (${target.memory.peakBytes})`);
    }
  });
  return problems;
}
