/**
 * How the figures of a whole repetition are read for a rule, with their caveats: the closed-loop
 * maximum, the image size, and plain scalars (cold start, memory). Claims and thresholds both read
 * them here (latency at a step: read-latency.ts), so an image on a stand-in base or a generator-bound
 * maximum means the same to both.
 */
import type { TargetResult } from '../schema/run.ts';
import { contentionCaveat } from './contention.ts';
import { exact, type Reading } from './judge.ts';

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
