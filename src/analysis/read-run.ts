/**
 * How the figures of a whole repetition are read for a rule, with their caveats: the closed-loop
 * maximum, the image size, and plain scalars (cold start, memory). Claims and thresholds both read
 * them here (latency at a step: read-latency.ts), so an image on a stand-in base or a generator-bound
 * maximum means the same to both.
 */
import type { Step, TargetResult } from '../schema/run.ts';
import { formatRps } from '../util/format.ts';
import { contentionCaveat } from './contention.ts';
import { exact, type Reading } from './judge.ts';
import { intendedRequests, matchesRate, openLoopSteps, unservedRequests } from './step-rules.ts';

/**
 * The closed-loop maximum, req/s. When the generator was the limit the target's capacity is only
 * known to be ≥ it: [v, ∞). A contended step (other processes took the CPUs) is a caveat.
 */
export function readMaxThroughput(r: TargetResult): Reading {
  if (r.maxThroughputRps === null) return { ok: false, reason: `repetition ${r.repetition}: the closed-loop step did not run`, brief: 'closed-loop step did not run' };
  const step = r.steps.find((s) => s.kind === 'max');
  const caveat = step ? contentionCaveat(step, 'the closed-loop step') : undefined;
  if (step?.generator.bound) {
    return {
      ok: true,
      iv: { lo: r.maxThroughputRps, hi: Infinity },
      boundReason: step.generator.boundReasons.join('; ') || 'generator-bound',
      ...(caveat ? { caveat } : {}),
    };
  }
  return { ok: true, iv: exact(r.maxThroughputRps), ...(caveat ? { caveat } : {}) };
}

/** A figure the repetition recorded or not (null/undefined: not measured), in the caller's unit. */
export function readScalar(v: number | null | undefined, what: string, r: TargetResult): Reading {
  return v === null || v === undefined ? { ok: false, reason: `repetition ${r.repetition}: ${what} was not measured`, brief: `${what} not measured` } : { ok: true, iv: exact(v) };
}

/**
 * Image size in MB (10^6 bytes). An image built on another base than the official one (a stand-in
 * on the air-gapped route, or an override) is measured and shown, but it is not the image the rule
 * is about, so it decides nothing.
 */
export function readImageSizeMB(r: TargetResult, about = 'the image the article describes'): Reading {
  const reading = readScalar(r.image === null ? null : r.image.sizeBytes / 1_000_000, 'the image size', r);
  const standIns = (r.image?.bases ?? []).filter((b) => b.inFinalImage && b.source !== 'official' && b.source !== 'pull');
  if (!reading.ok || standIns.length === 0) return reading;
  return {
    ...reading,
    caveat: {
      reason: `built on ${standIns.map((b) => `${b.used} instead of the official ${b.official}`).join(', ')}, so the size is not that of ${about}`,
      settle: `build on the official bases (docker pull ${standIns.map((b) => b.official).join(' ')}; then httpbench build)`,
      brief: 'built on a stand-in base, not the official one',
    },
  };
}

/** The sustainable rate: a lower bound when found while generator-bound, an upper one when even the lowest rate saturated. */
export function readSustainable(r: TargetResult): Reading {
  if (r.sustainableRps !== null) {
    return r.sustainableIsLowerBound ? { ok: true, iv: { lo: r.sustainableRps, hi: Infinity }, note: 'found while generator-bound: a lower bound' } : { ok: true, iv: exact(r.sustainableRps) };
  }
  const lowest = openLoopSteps(r.steps)[0];
  if (lowest?.saturated) return { ok: true, iv: { lo: 0, hi: lowest.offeredRps! }, note: `even the lowest rate (${formatRps(lowest.offeredRps!)} req/s) saturated: an upper bound` };
  return { ok: false, reason: `repetition ${r.repetition}: no sustainable rate was found`, brief: 'no sustainable rate' };
}

/** The open-loop step at `rate` (±1 %), a knee refinement included: what an absolute rule at a rate reads. */
export function openStepAt(r: TargetResult, rate: number): Step | undefined {
  return r.steps.find((s) => s.kind !== 'max' && s.offeredRps !== null && matchesRate(s.offeredRps, rate));
}

/** Why no step at `rate` exists in this repetition. */
function notOffered(r: TargetResult, rate: number): string {
  const offered = openLoopSteps(r.steps);
  const highest = offered[offered.length - 1];
  if (highest !== undefined && highest.offeredRps! < rate && highest.saturated) {
    return `repetition ${r.repetition}: ${formatRps(rate)} req/s was never offered — the target saturated at ${formatRps(highest.offeredRps!)} req/s and stepping stopped`;
  }
  return `repetition ${r.repetition}: no step at ${formatRps(rate)} req/s`;
}

/**
 * A figure of the open-loop step at `rate`: what `readStep` reads of it (a latency percentile, through
 * the registry: metrics.ts), or (readStep null) the failed share of the intended requests. A step never
 * offered or generator-bound reads nothing: its figures are not the target's.
 */
export function readAtRate(r: TargetResult, rate: number, readStep: ((step: Step, where: string) => Reading) | null): Reading {
  const step = openStepAt(r, rate);
  if (step === undefined) return { ok: false, reason: notOffered(r, rate), brief: 'never offered' };
  const where = `repetition ${r.repetition} at ${formatRps(step.offeredRps!)} req/s`;
  if (step.generator.bound) {
    return { ok: false, reason: `${where}: the generator was the limit (${step.generator.boundReasons.join('; ') || 'generator-bound'}), so the step's figures are not the target's`, brief: 'generator-bound' };
  }
  if (readStep === null) {
    // Scheduled sends never made (dropped) were the most delayed of all: they count as failed. Over the
    // intended requests, as claims count them (step-rules.ts: one denominator for both).
    if (step.counts.sent + step.counts.dropped === 0) return { ok: false, reason: `${where}: no request was sent`, brief: 'nothing sent' };
    const intended = intendedRequests(step);
    return { ok: true, iv: exact(intended === 0 ? 0 : unservedRequests(step) / intended) };
  }
  const reading = readStep(step, `${formatRps(step.offeredRps!)} req/s`);
  return reading.ok ? reading : { ...reading, reason: `repetition ${r.repetition}: ${reading.reason}` };
}
