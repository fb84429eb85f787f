/**
 * verdicts.json: the claim verdicts and threshold results of one run as data, for CI jobs and
 * fact-checking scripts. Types and the JSON Schema come from these zod definitions (as run.json's do);
 * the writer validates before writing. The claim types are declared in src/analysis/claims.ts; a
 * compile-time check there fails when the two drift apart, so this schema cannot go stale.
 * Units: figures carry a `unit` field (req/s, ms, MB, MiB, ratio, fraction).
 */
import { z } from 'zod';
import { RunStatusSchema } from './run.ts';
import { ThresholdSchema } from '../scenario/schema.ts';

export const VERDICTS_SCHEMA_VERSION = 2;
export const VERDICTS_FILE_NAME = 'verdicts.json';

const VerdictSchema = z.enum(['confirmed', 'refuted', 'inconclusive']);

export const MeasuredFigureSchema = z.strictObject({
  /** Median over repetitions (for a bound: the bound), in `unit`. */
  value: z.number(),
  unit: z.enum(['req/s', 'ms', 'MB', 'ratio', 'fraction']),
  min: z.number(),
  max: z.number(),
  /** (max − min) / median. */
  relativeSpread: z.number(),
  /** Repetitions measured. */
  n: z.number().int().nonnegative(),
  /** lower: the true value is ≥ value (generator-bound); upper: ≤ value; unknown: a ratio of two bounds. */
  bound: z.enum(['exact', 'lower', 'upper', 'unknown']),
  latencySource: z.enum(['corrected', 'uncorrected', 'mixed']).optional(),
  /** Offered rate(s) of the judged step(s), req/s. */
  atOfferedRps: z.array(z.number()).optional(),
});

export const ConfigurationVerdictSchema = z.strictObject({
  /** "target/configuration" entries the figure comes from (two for ratios). */
  configurations: z.array(z.string()),
  label: z.string(),
  /** Target CPUs of the configuration(s). */
  cpus: z.number().nullable(),
  measured: MeasuredFigureSchema.nullable(),
  measuredText: z.string(),
  verdict: VerdictSchema,
  reason: z.string(),
  /** What would settle an inconclusive verdict. */
  settle: z.string().optional(),
  /** True when the plan never ran the configuration (skipped by design). */
  notRun: z.boolean().optional(),
  /** The figure and what decided it, in a few words. */
  brief: z.string(),
});

/** An open side is null ("< 50 ms" has no lower end). */
const RangeSchema = z.strictObject({ min: z.number().nullable(), max: z.number().nullable() });

/** What the "article vs this run" chart draws for a claim; its marks are byConfiguration[].measured. */
export const ClaimBandSchema = z.strictObject({
  unit: z.enum(['req/s', 'ms', 'MB', 'ratio', 'fraction']),
  /** The article's figure as written: a point (min = max), a range, or a bound. */
  article: RangeSchema,
  /** What the verdict accepts once the wording is read (the claims file's tolerance applied). */
  accepted: RangeSchema,
});

export const ClaimVerdictSchema = z.strictObject({
  id: z.string(),
  quote: z.string(),
  articleFigure: z.string(),
  ruleText: z.string(),
  /** How the article's wording was read (claims file `reading`). */
  reading: z.string(),
  verdict: VerdictSchema,
  /** One sentence (≤ 200 characters): the figure(s) and what decided the verdict; `reason` has it all. */
  summary: z.string().max(200),
  band: ClaimBandSchema,
  byConfiguration: z.array(ConfigurationVerdictSchema),
  measured: z.string(),
  ratio: z.string().optional(),
  hardwareNote: z.string().optional(),
  reason: z.string(),
  settle: z.string().optional(),
});

export const ThresholdStatusSchema = z.enum(['pass', 'fail', 'not-measured']);
export type ThresholdStatus = z.infer<typeof ThresholdStatusSchema>;

export const ThresholdFigureSchema = z.strictObject({
  /** Median over repetitions of the measured figure (for a bound: the bound), in `unit`. */
  value: z.number(),
  unit: z.enum(['req/s', 'ms', 'MB', 'MiB', 'fraction']),
  min: z.number(),
  max: z.number(),
  n: z.number().int().positive(),
  /** lower: the true value is ≥ value; upper: ≤ value (e.g. generator-bound throughput is a lower bound). */
  bound: z.enum(['exact', 'lower', 'upper']),
});
export type ThresholdFigure = z.infer<typeof ThresholdFigureSchema>;

export const ThresholdConfigurationResultSchema = z.strictObject({
  /** "target/configuration". */
  configuration: z.string(),
  /** not-run: skipped by the plan (e.g. identical to another configuration) under a threshold that names no configuration. */
  status: z.enum(['pass', 'fail', 'not-measured', 'not-run']),
  measured: ThresholdFigureSchema.nullable(),
  measuredText: z.string(),
  reason: z.string(),
});
export type ThresholdConfigurationResult = z.infer<typeof ThresholdConfigurationResultSchema>;

export const ThresholdResultSchema = z.strictObject({
  /** The threshold's name, or its text when it has none. */
  id: z.string(),
  /** The threshold written out, e.g. "go-chi p99 at 10,000 req/s < 2 ms". */
  text: z.string(),
  threshold: ThresholdSchema,
  /** fail when any configuration fails; not-measured when none fails but one could not be judged. */
  status: ThresholdStatusSchema,
  byConfiguration: z.array(ThresholdConfigurationResultSchema),
});
export type ThresholdResult = z.infer<typeof ThresholdResultSchema>;

export const VerdictsDocumentSchema = z.strictObject({
  schemaVersion: z.literal(VERDICTS_SCHEMA_VERSION),
  /** The httpbench that measured the run (from run.json). */
  tool: z.strictObject({ name: z.literal('httpbench'), version: z.string() }),
  scenario: z.string(),
  /** ISO-8601 start of the run (identifies it; verdicts.json itself carries no render time). */
  runStartedAt: z.string(),
  runStatus: RunStatusSchema,
  summary: z.strictObject({
    claims: z.strictObject({ confirmed: z.number().int().nonnegative(), refuted: z.number().int().nonnegative(), inconclusive: z.number().int().nonnegative() }),
    thresholds: z.strictObject({ pass: z.number().int().nonnegative(), fail: z.number().int().nonnegative(), notMeasured: z.number().int().nonnegative() }),
  }),
  /** In registry order; empty when the run had no claims registry. */
  claims: z.array(ClaimVerdictSchema),
  /** In scenario order; empty when the scenario has no thresholds. */
  thresholds: z.array(ThresholdResultSchema),
});
export type VerdictsDocument = z.infer<typeof VerdictsDocumentSchema>;

/** The JSON Schema of verdicts.json, generated from the same definitions. */
export function verdictsJsonSchema(): object {
  return z.toJSONSchema(VerdictsDocumentSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}
