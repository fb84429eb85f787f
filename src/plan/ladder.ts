/**
 * The offered rates of a sweep without a fixed top (`load.steps.rates: auto`): fractions of the
 * target's measured closed-loop maximum, merged with the rates something needs measured (claims,
 * thresholds, `load.steps.include`), then the knee bisection refines between the last sustainable and
 * the first unsustainable rate (analysis/saturation.ts findKnee). So the knee is found on 2 cores and on
 * 64 with the same number of steps. Pure, so every ladder is tested with exact numbers.
 */
import type { Claim } from '../schema/claims.ts';
import type { Scenario } from '../scenario/schema.ts';

/**
 * Fractions of the measured maximum offered by the auto ladder. Low steps draw the latency-vs-rate
 * curve; the dense part (0.8–1.1) is where the knee lies; 1.1 is above the closed-loop maximum because
 * an open-loop schedule often sustains a little more than a closed loop of 64 connections achieved (and
 * a maximum marked "≥" is only a lower bound), so the sweep must be able to go past it.
 */
export const LADDER_FRACTIONS: readonly number[] = [0.1, 0.3, 0.6, 0.8, 0.95, 1.1];

/**
 * A ladder rate within this ratio of a required rate is dropped: the required rate measures the same
 * region of the curve (the knee bisection refines where it matters).
 */
export const MERGE_RATIO = 0.2;

/** The lowest rate the ladder offers, req/s: below it a 3–5 s step holds too few requests for a p99. */
export const MIN_LADDER_RPS = 100;

/**
 * `rates: auto` has no fixed top: when the ladder's highest step was still sustainable (the maximum
 * was measured low — a busy machine, a closed loop that could not fill the target), the sweep goes on
 * by this factor, at most MAX_EXTENSION_STEPS times (every sweep is bounded).
 */
export const EXTENSION_FACTOR = 1.25;
export const MAX_EXTENSION_STEPS = 3;

/** The next rate above a sustained top step (see EXTENSION_FACTOR). */
export function extensionRate(topRps: number): number {
  return Math.max(topRps + 1, niceRate(topRps * EXTENSION_FACTOR));
}

/** Rounds to two significant digits (12,345 → 12,000; 137 → 140), so ladders read as plain numbers. */
export function niceRate(rps: number): number {
  if (!(rps > 0)) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(rps)) - 1);
  return Math.round(rps / magnitude) * magnitude;
}

/**
 * The auto ladder for a target whose closed-loop maximum was `maxRps`: LADDER_FRACTIONS of it
 * (rounded, at least MIN_LADDER_RPS), every required rate, ladder rates near a required rate dropped;
 * ascending, without duplicates. A maximum of 0 (nothing completed) leaves the required rates only.
 */
export function ladderRates(maxRps: number, requiredRps: readonly number[]): number[] {
  const required = [...new Set(requiredRps.filter((r) => r > 0))];
  const ladder = maxRps > 0 ? LADDER_FRACTIONS.map((f) => Math.max(MIN_LADDER_RPS, niceRate(f * maxRps))) : [];
  const kept = ladder.filter((r) => !required.some((q) => Math.abs(r - q) <= MERGE_RATIO * q));
  return [...new Set([...kept, ...required])].sort((a, b) => a - b);
}

/**
 * Rates the run must offer whatever the ladder: `load.steps.include`, the rates of latency-at-rate
 * claims, and the `atRps` of thresholds. Ascending, without duplicates.
 */
export function requiredRates(scenario: Pick<Scenario, 'load' | 'thresholds'>, claims: readonly Claim[] | null): number[] {
  const rates = [
    ...scenario.load.steps.include,
    ...(claims ?? []).flatMap((c) => (c.metric.kind === 'latencyAtRateMs' ? [c.metric.rateRps] : [])),
    ...(scenario.thresholds ?? []).flatMap((t) => (t.atRps !== undefined ? [t.atRps] : [])),
  ];
  return [...new Set(rates)].sort((a, b) => a - b);
}

/**
 * Rates the calibration measures the instrument's floor at when the ladder is auto (targets' rates are
 * not known before they run): a 1–2.5–5 series from 250 req/s up to the load side's ceiling, plus the
 * required rates below it. A step between two calibrated rates takes the higher floor of its neighbours
 * (analysis/floor.ts), so the series bounds every ladder rate.
 */
export function calibrationRates(ceilingRps: number | null, requiredRps: readonly number[], fallbackTopRps = 10_000): number[] {
  const top = ceilingRps !== null && ceilingRps > 0 ? ceilingRps : fallbackTopRps;
  const series: number[] = [];
  for (let decade = 100; decade <= top; decade *= 10) {
    for (const m of [2.5, 5, 10]) if (decade * m <= top) series.push(decade * m);
  }
  return [...new Set([...series, ...requiredRps.filter((r) => r <= top)])].sort((a, b) => a - b);
}

/** The rates a scenario lists, or null for `auto` (then they come from each target's maximum). */
export function listedRates(scenario: Pick<Scenario, 'load'>): number[] | null {
  const rates = scenario.load.steps.rates;
  return rates === 'auto' ? null : rates;
}
