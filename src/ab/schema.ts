/**
 * ab.json: the result document of `httpbench ab` — the variants, every trial's steps (with their
 * histograms, so any figure can be recomputed) and the judgement. Types and JSON Schema from these
 * zod definitions; written validated, like run.json. Units in names: Rps, Us, Percent, S.
 */
import { z } from 'zod';
import { EnvironmentSchema, StepSchema } from '../schema/run.ts';

export const AB_SCHEMA_VERSION = 1;

export const VariantSchema = z.strictObject({
  /** As given on the command line (a git ref, or image:NAME). */
  given: z.string(),
  /** The commit the ref resolved to (40 hex), null for an image variant. */
  commit: z.string().regex(/^[0-9a-f]{40}$/).nullable(),
  /** Image per target name: the tag used and its id. */
  images: z.record(z.string(), z.strictObject({ tag: z.string(), id: z.string() })),
  /** Environment overrides for the target container (--baseline-env / --candidate-env). */
  env: z.record(z.string(), z.string()),
});
export type Variant = z.infer<typeof VariantSchema>;

export const SideNameSchema = z.enum(['baseline', 'candidate']);

export const TrialSideSchema = z.strictObject({
  /** Steps of this side in this trial: the closed-loop max step, then one step per rate. */
  steps: z.array(StepSchema),
  /** Why this side has no (or not all) steps: the target died, a step threw. Null when measured. */
  error: z.string().nullable(),
});

export const TrialSchema = z.strictObject({
  target: z.string(),
  configuration: z.string(),
  /** 0-based pair index. */
  pair: z.number().int().nonnegative(),
  /** Which side ran first in this pair (src/ab/order.ts: ABBA). */
  order: z.tuple([SideNameSchema, SideNameSchema]),
  /**
   * Whose container was started (and warmed up) first in this target/configuration, by a coin: the one
   * started second served FastAPI faster for its whole life (src/ab/order.ts startOrder). Absent in
   * documents written before the coin, which always started the baseline first.
   */
  startedFirst: SideNameSchema.optional(),
  baseline: TrialSideSchema,
  candidate: TrialSideSchema,
});
export type Trial = z.infer<typeof TrialSchema>;

export const VerdictSchema = z.enum(['regression', 'improvement', 'unchanged', 'inconclusive']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const MetricResultSchema = z.strictObject({
  id: z.string(),
  label: z.string(),
  /** Offered rate of the step; null for the closed-loop max step. */
  rateRps: z.number().positive().nullable(),
  kind: z.enum(['latency', 'throughput', 'failures', 'saturation']),
  verdict: VerdictSchema,
  /** Pairs the ratio was judged on (both sides comparable). */
  pairs: z.number().int().nonnegative(),
  /** HL estimate of candidate ÷ baseline − 1 in percent, and its interval; null when not judged. */
  changePercent: z.number().nullable(),
  changeLowPercent: z.number().nullable(),
  changeHighPercent: z.number().nullable(),
  /** Exact coverage of the interval (e.g. 0.961 for 8 pairs at 95 %). */
  achievedConfidence: z.number().nullable(),
  /** Threshold in percent, in the worse direction; null for the gate metrics. */
  thresholdPercent: z.number().nullable(),
  /** Median over trials, per side (µs for latency, req/s for throughput, fraction for failures). */
  baselineMedian: z.number().nullable(),
  candidateMedian: z.number().nullable(),
  /** One sentence: what decided the verdict. */
  reason: z.string(),
});
export type MetricResult = z.infer<typeof MetricResultSchema>;

export const GroupResultSchema = z.strictObject({
  target: z.string(),
  configuration: z.string(),
  metrics: z.array(MetricResultSchema),
  /** Why the group could not be judged at all (a side never measured), else null. */
  incomplete: z.string().nullable(),
});
export type GroupResult = z.infer<typeof GroupResultSchema>;

export const OutcomeSchema = z.enum(['pass', 'regression', 'incomplete']);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const AbSettingsSchema = z.strictObject({
  /** Trial pairs per target/configuration. */
  pairs: z.number().int().positive(),
  /**
   * How a trial measures the two sides: `duet` = both at once, each at the step's full rate, by one
   * generator thread (src/load/openloop/side-by-side.ts; the order decides whose schedule is half a
   * slot later); `alternating` = one side after the other in the order (ABBA). Documents written
   * before the choice existed were alternating.
   */
  design: z.enum(['duet', 'alternating']).default('alternating'),
  ratesRps: z.array(z.number().positive()),
  /** Length of each rate step and of the closed-loop step, s. */
  stepS: z.number().positive(),
  maxStepS: z.number().positive(),
  warmupS: z.number().nonnegative(),
  confidence: z.number().gt(0).lt(1),
  thresholdsPercent: z.record(z.string(), z.number().nonnegative()),
  /** Failure budget (fraction) and p99 SLO (ms) for the gate, from the scenario's slo. */
  errorRate: z.number().min(0).max(1),
  p99Ms: z.number().positive(),
});
export type AbSettings = z.infer<typeof AbSettingsSchema>;

export const AbDocumentSchema = z.strictObject({
  schemaVersion: z.literal(AB_SCHEMA_VERSION),
  tool: z.strictObject({ name: z.literal('httpbench'), version: z.string() }),
  status: z.enum(['running', 'completed', 'failed', 'interrupted']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  scenarioName: z.string(),
  scenarioFile: z.string(),
  settings: AbSettingsSchema,
  environment: EnvironmentSchema.nullable(),
  baseline: VariantSchema,
  candidate: VariantSchema,
  trials: z.array(TrialSchema),
  /** The judgement: null until every trial ran (or the run was cut short and nothing is judged). */
  result: z
    .strictObject({
      outcome: OutcomeSchema,
      /** One line per reason the outcome is not pass. */
      reasons: z.array(z.string()),
      groups: z.array(GroupResultSchema),
    })
    .nullable(),
  /** Wall time of the whole command, s (builds included). */
  durationS: z.number().nonnegative().nullable(),
});
export type AbDocument = z.infer<typeof AbDocumentSchema>;
export type AbResult = NonNullable<AbDocument['result']>;
