/**
 * Claims registry schema (scenarios/claims/*.yaml, and run.json's `claims`). A claim names a metric
 * derived from run.json and a rule; analysis/claims.ts turns it into a verdict per configuration.
 */
import { z } from 'zod';
import { PercentileSchema } from './percentiles.ts';
import { MAX_CPUS, MAX_RATE_RPS, MIN_RATE_RPS } from '../util/limits.ts';

const targetName = z.string().min(1);
const percentile = PercentileSchema;

/**
 * Which configurations a two-target metric compares, e.g. one process vs one process and all cores vs
 * all cores. Absent: every numerator configuration against every denominator configuration.
 */
const ConfigurationPairsSchema = z
  .array(z.strictObject({ numerator: z.string().min(1), denominator: z.string().min(1) }))
  .min(1)
  .optional();

export const ClaimMetricSchema = z.discriminatedUnion('kind', [
  /** Closed-loop maximum throughput of one target, requests/s. */
  z.strictObject({ kind: z.literal('maxThroughputRps'), target: targetName }),
  /** numerator's max throughput ÷ denominator's, per configuration pair (see ConfigurationPairsSchema). */
  z.strictObject({ kind: z.literal('throughputRatio'), numerator: targetName, denominator: targetName, pairs: ConfigurationPairsSchema }),
  /** A latency percentile (ms) in the open-loop step offered at rateRps (or the lowest step above it when `orAbove`). */
  z.strictObject({
    kind: z.literal('latencyAtRateMs'),
    target: targetName,
    percentile,
    rateRps: z.number().min(MIN_RATE_RPS).max(MAX_RATE_RPS),
    orAbove: z.boolean().default(false),
  }),
  /** A latency percentile (ms) at the highest sustainable step ("at scale"). */
  z.strictObject({ kind: z.literal('latencyAtCapacityMs'), target: targetName, percentile }),
  /** Image size in MB (10^6 bytes). */
  z.strictObject({ kind: z.literal('imageSizeMB'), target: targetName }),
  /** numerator's peak memory ÷ denominator's, per configuration pair. */
  z.strictObject({ kind: z.literal('memoryPeakRatio'), numerator: targetName, denominator: targetName, pairs: ConfigurationPairsSchema }),
  /** Cold start, container start → first 200, ms. */
  z.strictObject({ kind: z.literal('coldStartMs'), target: targetName }),
  /** 1 − fewer/more of the handlers' non-blank, non-comment source lines (fraction). */
  z.strictObject({ kind: z.literal('handlerLinesReduction'), fewer: targetName, more: targetName }),
]);
export type ClaimMetric = z.infer<typeof ClaimMetricSchema>;

export const ClaimRuleSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('lt'), value: z.number() }),
  z.strictObject({ op: z.literal('gt'), value: z.number() }),
  z.strictObject({ op: z.literal('between'), min: z.number(), max: z.number() }),
  /**
   * About `value`. Its tolerance comes from the claim's `reading` (one tolerance for every approximate
   * figure of a file); a `tolerance` here is accepted only in run.json written before readings existed.
   */
  z.strictObject({ op: z.literal('approx'), value: z.number(), tolerance: z.number().positive().max(1).optional() }),
]);
export type ClaimRule = z.infer<typeof ClaimRuleSchema>;

/**
 * How the article's wording is read — the same way for every claim that uses it:
 * - `approximate`: a round figure or range the article gives without a hard qualifier ("200,000
 *   requests per second", "5–15ms", "roughly 30–40%"): every figure of the rule widened by ±tolerance.
 * - `as-small-as`: the small end a target can reach ("as small as 5–10MB"): the smallest configuration
 *   measured must be at most the top of the range + tolerance; anything smaller beats the figure.
 * - `bound`: an explicit limit ("sub-50ms", "200ms+"): the limit as written, no tolerance.
 * - `threshold`: a word the claims file turns into a number ("significantly lower", "measured in
 *   milliseconds"): that number, no tolerance (the reason is written beside it in the file).
 */
export const CLAIM_WORDINGS = ['approximate', 'as-small-as', 'bound', 'threshold'] as const;
export type ClaimWording = (typeof CLAIM_WORDINGS)[number];

export const ClaimReadingSchema = z.strictObject({
  wording: z.enum(CLAIM_WORDINGS),
  /** Relative tolerance (fraction) for `approximate` and `as-small-as`; one value per claims file (checked on load). */
  tolerance: z.number().min(0).max(0.5).optional(),
});
export type ClaimReading = z.infer<typeof ClaimReadingSchema>;

export const ClaimSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  /** The article's sentence, quoted. */
  quote: z.string().min(1),
  /** The article's figure as a reader would cite it, e.g. "~200,000 req/s". */
  articleFigure: z.string().min(1),
  metric: ClaimMetricSchema,
  rule: ClaimRuleSchema,
  /**
   * How the wording is read (see ClaimReadingSchema). Required in claims files; absent only in run.json
   * written before readings existed, whose rules are then applied as written.
   */
  reading: ClaimReadingSchema.optional(),
  /** Absolute figures that depend on hardware: the verdict is about this machine, the ratio is shown beside. */
  hardwareDependent: z.boolean().default(false),
  /** CPUs the target needs for the claim to be testable (e.g. the article's many-core server). */
  minTargetCpus: z.number().int().positive().max(MAX_CPUS).default(1),
});
export type Claim = z.infer<typeof ClaimSchema>;

export const ClaimsFileSchema = z.strictObject({
  source: z.string().default(''),
  claims: z.array(ClaimSchema).min(1),
});
export type ClaimsFile = z.infer<typeof ClaimsFileSchema>;

/**
 * Checks zod cannot express on one field: unique ids, ordered ranges. For a claims file and for the
 * claims stored in a run.json alike (a hand-edited run.json must not skip them).
 */
export function claimsProblems(claims: readonly Claim[], at = 'claims'): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  claims.forEach((claim, i) => {
    if (seen.has(claim.id)) problems.push(`${at}[${i}].id: duplicate claim id '${claim.id}'`);
    seen.add(claim.id);
    if (claim.rule.op === 'between' && claim.rule.min >= claim.rule.max) {
      problems.push(`${at}[${i}].rule: min (${claim.rule.min}) must be below max (${claim.rule.max})`);
    }
  });
  return problems;
}
