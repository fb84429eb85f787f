/**
 * When a step is "at" a rate. Configuration checks (a threshold's atRps must be a planned rate) and
 * every reader of a run (claims, thresholds, compare, the floor, the headline) match rates by this one
 * rule; it sits with the configuration, the lowest layer that needs it, and analysis/step-rules.ts
 * re-exports it beside the other step rules.
 */

/** Offered rates within 1 % of each other are the same step. */
export const SAME_RATE_TOLERANCE = 0.01;

/** True when a step offered at `offeredRps` is "at" `rateRps`; with `orAbove`, any step from 1 % below it up. */
export function matchesRate(offeredRps: number, rateRps: number, orAbove = false): boolean {
  return orAbove ? offeredRps >= rateRps * (1 - SAME_RATE_TOLERANCE) : Math.abs(offeredRps - rateRps) <= rateRps * SAME_RATE_TOLERANCE;
}
