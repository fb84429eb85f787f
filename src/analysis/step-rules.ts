/**
 * The rules every figure of a step is read by, each written once: which latency stands for a step,
 * how many requests it meant to make and how many of those failed, when a step is "at" a rate, which
 * repetitions count, and which step is "at scale". Pure; summaries, claims, thresholds, saturation,
 * compare and the reports all import them from here, so a fix reaches every reader at once.
 */
import type { PercentilesUs, Step, TargetResult } from '../schema/run.ts';

export type LatencyKind = 'corrected' | 'uncorrected';

// ---------------------------------------------------------------------------------------------
// Latency

/**
 * The latency percentiles a step is judged by: corrected (wrk2's model: from the intended send time)
 * when available, else uncorrected; null when no request completed (no data — never zeros).
 */
export function stepLatency(step: Pick<Step, 'latencyUs'>): { source: LatencyKind; us: PercentilesUs } | null {
  if (step.latencyUs.corrected) return { source: 'corrected', us: step.latencyUs.corrected };
  return step.latencyUs.uncorrected ? { source: 'uncorrected', us: step.latencyUs.uncorrected } : null;
}

/**
 * The one latency kind several steps are compared in (compare's two sides): corrected only when
 * every step has it, else uncorrected for all, so a comparison never sets one kind against the other.
 */
export function commonLatencyKind(steps: readonly Pick<Step, 'latencyUs'>[]): LatencyKind {
  return steps.every((s) => s.latencyUs.corrected !== null) ? 'corrected' : 'uncorrected';
}

/** Engine percentiles as stored: an empty histogram's (count 0) become null, "no data". */
export function latencyOrAbsent(latency: { uncorrected: PercentilesUs; corrected: PercentilesUs | null }): Step['latencyUs'] {
  if (latency.uncorrected.count === 0) return { uncorrected: null, corrected: null };
  return { uncorrected: latency.uncorrected, corrected: latency.corrected && latency.corrected.count > 0 ? latency.corrected : null };
}

// ---------------------------------------------------------------------------------------------
// Requests: intended, failed, never sent

type Counted = Pick<Step, 'counts' | 'offeredRps' | 'durationS'>;

/**
 * Requests the step meant to make. Open loop: the schedule (offered rate × duration), or what was
 * sent plus never sent if more. Closed loop: every attempt, a transport error being one.
 */
export function intendedRequests(step: Counted): number {
  const c = step.counts;
  // Engines that count the schedule themselves (counts.intended, the engine side of issue 12) are
  // taken at their word; the estimate below is for runs written without it.
  const counted = (c as { intended?: unknown }).intended;
  if (typeof counted === 'number') return Math.max(counted, c.sent + c.dropped);
  if (step.offeredRps === null) return Math.max(c.sent, c.completed + c.timeouts + c.errors);
  return Math.max(c.sent + c.dropped, Math.round(step.offeredRps * step.durationS));
}

/**
 * Intended requests that got no usable response (non-2xx, timeout, transport error), each counted
 * once. Transport errors are reported per connection attempt, so one request can show several (a
 * refused connection retried): they are charged only to requests with no other outcome, never
 * beyond the intended ones. Hence failed ≤ intended − dropped, and a rate cannot pass 100 %.
 */
export function failedRequests(step: Counted): number {
  const c = step.counts;
  const withoutOutcome = Math.max(0, intendedRequests(step) - c.completed - c.timeouts - c.dropped);
  return c.non2xx + c.timeouts + Math.min(c.errors, withoutOutcome);
}

/** Failed share of the intended requests (see failedRequests/intendedRequests): never above 1 by construction. */
export function failureRate(step: Counted): number {
  const intended = intendedRequests(step);
  return intended === 0 ? 0 : failedRequests(step) / intended;
}

/**
 * Requests a percentile of the completed ones cannot speak for: failed, plus scheduled sends never
 * made (dropped) — those were the most delayed requests of all. failedRequests never charges a
 * dropped send, so the sum stays within the intended requests.
 */
export function unservedRequests(step: Counted): number {
  return failedRequests(step) + step.counts.dropped;
}

// ---------------------------------------------------------------------------------------------
// Rates and steps

// The rate rule is configuration's too (a threshold's atRps is checked against the planned rates).
export { matchesRate, SAME_RATE_TOLERANCE } from '../scenario/rates.ts';

/** Repetitions whose figures count: completed, or interrupted (they keep the steps they finished). */
export function isUsable(result: Pick<TargetResult, 'status'>): boolean {
  return result.status === 'completed' || result.status === 'interrupted';
}

/**
 * Repetitions the plan never ran (every one skipped: identical to another configuration on this CPU
 * budget): "not run" by design, left out of verdicts rather than counted as failures.
 */
export function notRunByDesign(results: readonly Pick<TargetResult, 'status'>[]): boolean {
  return results.length > 0 && results.every((r) => r.status === 'skipped');
}

/** The open-loop steps (rate and knee) of a repetition, lowest offered rate first. */
export function openLoopSteps(steps: readonly Step[]): Step[] {
  return steps.filter((s) => s.kind !== 'max' && s.offeredRps !== null).sort((a, b) => a.offeredRps! - b.offeredRps!);
}

/** A step that speaks for the target at its rate: neither past capacity nor limited by the generator. */
export function isUnlimitedStep(step: Pick<Step, 'saturated' | 'generator'>): boolean {
  return !step.saturated && !step.generator.bound;
}

/** The same rule over repetitions summarised at one rate: saturated in none, generator-bound in none. */
export function isUnlimitedRate(rate: { saturated: number; generatorBound: number }): boolean {
  return rate.saturated === 0 && rate.generatorBound === 0;
}

/** "At scale": the highest offered rate that was neither saturated nor generator-bound (claims rule 5). */
export function atScaleStep(steps: readonly Step[]): Step | undefined {
  return openLoopSteps(steps).filter(isUnlimitedStep).at(-1);
}

/** "At scale" over rates summarised across repetitions (given lowest first, as summaries list them). */
export function atScaleRate<R extends { saturated: number; generatorBound: number }>(rates: readonly R[]): R | undefined {
  return rates.filter(isUnlimitedRate).at(-1);
}

/**
 * A latency claim "at scale" is judged only on a step offered at ≥ this share of the target's
 * measured sustainable rate. Why one half: in a single-server queue at utilisation ρ the mean
 * response time is the service time ÷ (1 − ρ), so from ρ = 0.5 on, queueing at least doubles the
 * idle latency and the tail grows fastest — the regime "at scale" is about. Below it latency is
 * mostly the idle service time (a quick run's 500 req/s against a 17,000 req/s target is 3 %).
 * A step ladder of 1-2-5-ish rates (the default scenario) always has its highest sustained step
 * within this of the knee, so a full run qualifies; a run that stops far below capacity does not.
 */
export const AT_SCALE_MIN_FRACTION = 0.5;

/**
 * The capacity "at scale" is measured against, for one repetition: its sustainable rate when the
 * knee was found (a higher step failed, and not because of the generator); otherwise the larger of
 * that rate and the closed-loop maximum, which is only a lower bound when the closed-loop step was
 * generator-bound (then the target's capacity was never reached: `lowerBound`). Null when neither
 * was measured.
 */
export function capacityReference(result: Pick<TargetResult, 'sustainableRps' | 'sustainableIsLowerBound' | 'maxThroughputRps' | 'steps'>): { rps: number; lowerBound: boolean; source: 'sustainable' | 'closed-loop' } | null {
  const sustainable = result.sustainableRps;
  if (sustainable !== null && sustainable > 0 && !result.sustainableIsLowerBound) return { rps: sustainable, lowerBound: false, source: 'sustainable' };
  const closed = result.maxThroughputRps;
  const closedBound = result.steps.some((s) => s.kind === 'max' && s.generator.bound);
  const options = [
    ...(sustainable !== null && sustainable > 0 ? [{ rps: sustainable, lowerBound: true, source: 'sustainable' as const }] : []),
    ...(closed !== null && closed > 0 ? [{ rps: closed, lowerBound: closedBound, source: 'closed-loop' as const }] : []),
  ];
  if (options.length === 0) return null;
  return options.reduce((a, b) => (b.rps > a.rps ? b : a));
}
