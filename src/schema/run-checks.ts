/**
 * Cross-field checks on a run.json that passed the schema: relations the schema cannot state, which a
 * run written by httpbench always satisfies and a hand-edited or corrupted file may not. Readers run
 * them so `report` and `compare` never present figures that cannot be true (completed = 10 × sent, a
 * histogram that does not decode or disagrees with its percentiles).
 */
import { decodeHistogram, decodeIntervalLog, type Histogram } from '../samples/histogram.ts';
import { claimsProblems } from './claims.ts';
import type { PercentilesUs, RunDocument, Step } from './run.ts';

/** A decoded histogram, or the decoding problem. */
function decoded(encoded: string): Histogram | string {
  try {
    const h = decodeHistogram(encoded);
    const count = h.totalCount;
    return Number.isSafeInteger(count) && count >= 0 ? h : `decodes to an invalid total count ${count}`;
  } catch (error) {
    return `does not decode (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Total count of an encoded histogram, or the decoding problem. */
function histogramCount(encoded: string): number | string {
  const h = decoded(encoded);
  return typeof h === 'string' ? h : h.totalCount;
}

/** The percentile fields in the order their values must rise (p50 ≤ p90 ≤ … ≤ max). */
const ORDERED = ['p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;

/**
 * The slack of one HDR bucket (3 significant digits: 0.2 % of the value) and 1 µs of rounding: a
 * percentile is reported as its bucket's highest value while the maximum is exact, so a p999 may sit
 * that little above max in a real run.
 */
function below(a: number, b: number): boolean {
  return a < b * 0.998 - 1;
}

/** Percentiles that fall (p99 below p50) or a mean above the maximum: no histogram gives those. */
export function percentileOrderProblems(p: Pick<PercentilesUs, (typeof ORDERED)[number] | 'mean'>, at: string): string[] {
  const problems: string[] = [];
  for (let i = 1; i < ORDERED.length; i++) {
    const lo = ORDERED[i - 1]!;
    const hi = ORDERED[i]!;
    if (below(p[hi], p[lo])) problems.push(`${at}.${hi}: ${p[hi]} is below ${lo} (${p[lo]}); percentiles never fall`);
  }
  if (below(p.max, p.mean)) problems.push(`${at}.mean: ${p.mean} is above max (${p.max})`);
  return problems;
}

/**
 * Percentiles (and the mean) outside the range of values the histogram holds: figures that did not
 * come from it, with one bucket's slack (see below()).
 */
function rangeProblems(p: PercentilesUs, h: Histogram, at: string, name: string): string[] {
  if (h.totalCount === 0) {
    const nonZero = [...ORDERED, 'mean' as const].filter((k) => p[k] !== 0);
    return nonZero.length > 0 ? [`${at}.latencyUs.${name}.${nonZero[0]}: ${p[nonZero[0]!]} but the histogram holds no values`] : [];
  }
  const problems: string[] = [];
  for (const k of [...ORDERED, 'mean'] as const) {
    if (below(p[k], h.minNonZeroValue) || below(h.maxValue, p[k])) problems.push(`${at}.latencyUs.${name}.${k}: ${p[k]} is outside the histogram's values (${h.minNonZeroValue}–${h.maxValue} µs)`);
  }
  return problems;
}

function checkStep(step: Step, at: string): string[] {
  const problems: string[] = [];
  const c = step.counts;
  if (c.completed > c.sent) problems.push(`${at}.counts.completed: ${c.completed} is more than sent (${c.sent})`);
  if (c.timeouts > c.sent) problems.push(`${at}.counts.timeouts: ${c.timeouts} is more than sent (${c.sent})`);
  if (c.non2xx > c.completed) problems.push(`${at}.counts.non2xx: ${c.non2xx} is more than completed (${c.completed})`);
  if (c.completed <= c.sent && c.timeouts <= c.sent && c.completed + c.timeouts > c.sent) {
    problems.push(`${at}.counts: completed (${c.completed}) + timeouts (${c.timeouts}) is more than sent (${c.sent})`);
  }
  if (c.late > c.sent) problems.push(`${at}.counts.late: ${c.late} is more than sent (${c.sent})`);
  if (c.intended !== undefined) {
    if (c.sent > c.intended) problems.push(`${at}.counts.sent: ${c.sent} is more than intended (${c.intended})`);
    if (c.dropped > c.intended) problems.push(`${at}.counts.dropped: ${c.dropped} is more than intended (${c.intended})`);
  }
  const stalls = step.generator.stalls;
  if (stalls && stalls.responses > c.completed) problems.push(`${at}.generator.stalls.responses: ${stalls.responses} is more than completed (${c.completed})`);
  const lateness = step.generator.latenessUs;
  if (lateness && (lateness.p99 < lateness.p50 || lateness.max < lateness.p99)) {
    problems.push(`${at}.generator.latenessUs: p50 ${lateness.p50} ≤ p99 ${lateness.p99} ≤ max ${lateness.max} does not hold`);
  }
  if (step.generator.readDelayUs) problems.push(...percentileOrderProblems(step.generator.readDelayUs, `${at}.generator.readDelayUs`));

  // Written as nullable so a schema that makes "no data" latency null needs no change here.
  const latency: Array<['uncorrected' | 'corrected', PercentilesUs | null, string | null]> = [
    ['uncorrected', step.latencyUs.uncorrected as PercentilesUs | null, step.histograms.uncorrected as string | null],
    ['corrected', step.latencyUs.corrected, step.histograms.corrected],
  ];
  for (const [name, percentiles, encoded] of latency) {
    const ordered = percentiles ? percentileOrderProblems(percentiles, `${at}.latencyUs.${name}`) : [];
    problems.push(...ordered);
    if (encoded === null) {
      if (percentiles !== null) problems.push(`${at}.histograms.${name}: null but latencyUs.${name} has figures`);
      continue;
    }
    const h = decoded(encoded);
    if (typeof h === 'string') {
      problems.push(`${at}.histograms.${name}: ${h}`);
      continue;
    }
    const count = h.totalCount;
    const expected = percentiles?.count ?? 0;
    if (count !== expected) problems.push(`${at}.histograms.${name}: holds ${count} values but latencyUs.${name}.count is ${expected}`);
    if (count > c.completed) problems.push(`${at}.histograms.${name}: holds ${count} values, more than completed (${c.completed})`);
    // Only when ordered: a fallen percentile is already named, once.
    if (percentiles && ordered.length === 0 && count === expected) problems.push(...rangeProblems(percentiles, h, at, name));
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
  // The claims a run stores are judged as they are: the claims file's checks hold for them too.
  if (doc.claims) problems.push(...claimsProblems(doc.claims));
  doc.calibration?.steps.forEach((s, i) => problems.push(...percentileOrderProblems(s.latencyUs, `calibration.steps[${i}].latencyUs`)));
  if (doc.network?.floorUs) problems.push(...percentileOrderProblems(doc.network.floorUs, 'network.floorUs'));
  doc.targets.forEach((target, i) => {
    target.steps.forEach((step, j) => problems.push(...checkStep(step, `targets[${i}].steps[${j}]`)));
    target.retriedSteps?.forEach((step, j) => problems.push(...checkStep(step, `targets[${i}].retriedSteps[${j}]`)));
    const max = target.steps.filter((s) => s.kind === 'max');
    if (max.length === 1 && target.maxThroughputRps !== null && target.maxThroughputRps !== max[0]!.achievedRps) {
      problems.push(`targets[${i}].maxThroughputRps: ${target.maxThroughputRps} is not the closed-loop step's achievedRps (${max[0]!.achievedRps})`);
    }
    if (target.memory && target.memory.idleBytes > target.memory.peakBytes) {
      problems.push(`targets[${i}].memory.idleBytes: ${target.memory.idleBytes} is more than peakBytes (${target.memory.peakBytes})`);
    }
  });
  return problems;
}
