/**
 * The scenario's `compare:` section and the metric families `httpbench compare` keeps a threshold
 * for: configuration, so it sits at the bottom of the layers (the scenario schema embeds it, and
 * compare/thresholds.ts parses files and flags against it).
 */
import { z } from 'zod';

/** Highest threshold, percent: the scenario's `compare.thresholdsPercent` allows the same. Above it no change could ever count. */
export const MAX_THRESHOLD_PERCENT = 1000;

/** Metric families that carry a threshold. */
export const THRESHOLD_KEYS = ['throughput', 'achievedRps', 'p50', 'p95', 'p99', 'memory', 'coldStart', 'imageSize'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

/** Threshold per metric family, percent of the baseline median (always ≥ 0; direction comes from the metric). */
export type ThresholdsPercent = Record<ThresholdKey, number>;

/**
 * THE place for default thresholds, measured (bench/README.md, "A/A … Results"): `npm run bench:aa`
 * on a 2-vCPU AMD EPYC VM, 7 runs of scenarios/ci.yaml on one commit, 21 pairs. Each value is the
 * largest median change seen between two runs of the same code, rounded up, times 1.25 — the
 * smallest margin with which thresholds fitted on 10 pairs raised at most 1 false alarm in the 21
 * pairs they had not seen (×1: 4) — and never below the smallest change worth failing a build over
 * (5 % for rates and image size, 10 % memory, 25 % cold start):
 *
 *   kind         A/A largest change   ×1.25, rounded up   default
 *   throughput   1.5 %                3                   5 (floor)
 *   achievedRps  0 %                  0                   5 (floor)
 *   p50          89.4 %               113                 113
 *   p95          78.2 %               99                  99
 *   p99          79.4 %               100                 100
 *   memory       6.2 %                9                   10 (floor)
 *   coldStart    23.0 %               29                  29
 *   imageSize    0 %                  0                   5 (floor)
 *
 * Latency at the CI scenario's low rates drifts by up to ~90 % between runs on such a VM (the whole
 * machine's wake-up latency moves; repetitions inside one run do not see it), so across runs
 * `compare` only calls latency changes above ~+100 %; throughput is steady to 1.5 % and carries the
 * gate (an injected −22 % was caught in 13 of 14 comparisons). Re-measure on your own runners and set
 * a scenario's `compare:` section from its figures.
 */
export const DEFAULT_THRESHOLDS_PERCENT: Readonly<ThresholdsPercent> = Object.freeze({
  throughput: 5,
  achievedRps: 5,
  p50: 113,
  p95: 99,
  p99: 100,
  memory: 10,
  coldStart: 29,
  imageSize: 5,
});

/**
 * The scenario's `compare:` section (optional): thresholds for this scenario, e.g.
 * `compare: { thresholdsPercent: { p99: 30 } }`. Validated like the rest of the scenario: unknown
 * metric names are errors, values are percent ≥ 0.
 */
export const ScenarioCompareSchema = z.strictObject({
  thresholdsPercent: z
    .strictObject(
      Object.fromEntries(
        THRESHOLD_KEYS.map((k) => [
          k,
          z
            .number({ error: `compare.thresholdsPercent.${k} must be a number of percent` })
            .nonnegative({ error: `compare.thresholdsPercent.${k} must be ≥ 0 (the direction comes from the metric)` })
            .max(MAX_THRESHOLD_PERCENT, { error: `compare.thresholdsPercent.${k} must be ≤ 1000` })
            .optional(),
        ]),
      ) as Record<ThresholdKey, z.ZodOptional<z.ZodNumber>>,
    )
    .default({}),
});
export type ScenarioCompare = z.infer<typeof ScenarioCompareSchema>;
