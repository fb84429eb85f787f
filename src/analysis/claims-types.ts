/**
 * The shapes of a claim's verdict (verdicts.json's, checked against its zod schema below). Claims'
 * `Verdict` is this three-way answer; compare's answer about a change is `ChangeVerdict`.
 */
import type { z } from 'zod';
import type { ClaimVerdictSchema, ConfigurationVerdictSchema, MeasuredFigureSchema } from '../schema/verdicts.ts';

export type Verdict = 'confirmed' | 'refuted' | 'inconclusive';

/** One measured figure summarised across repetitions. */
export interface MeasuredFigure {
  /** Median over repetitions of the point estimate (the measured figure; for a bound, the bound). */
  value: number;
  unit: 'req/s' | 'ms' | 'MB' | 'ratio' | 'fraction';
  min: number;
  max: number;
  /** (max − min) / median. */
  relativeSpread: number;
  n: number;
  /**
   * 'lower': the true value is ≥ value (generator-bound); 'upper': ≤ value (a ratio over a lower
   * bound); 'unknown': both sides of a ratio were bounds, so value is only the ratio of the bounds.
   */
  bound: 'exact' | 'lower' | 'upper' | 'unknown';
  /** For latencies: which histogram the figure comes from. */
  latencySource?: 'corrected' | 'uncorrected' | 'mixed';
  /** For latencies: the offered rate(s) of the step judged, req/s. */
  atOfferedRps?: number[];
}

export interface ConfigurationVerdict {
  /** "target/configuration" entries the figure comes from (two for ratios). */
  configurations: string[];
  /** Short label for tables: "all-cores" or "all-cores vs n-workers". */
  label: string;
  /** Target CPUs of the configuration(s). */
  cpus: number | null;
  measured: MeasuredFigure | null;
  /** Human text of the measured figure, e.g. "≥ 41,200 req/s (generator-bound)". */
  measuredText: string;
  verdict: Verdict;
  reason: string;
  /** What would settle an inconclusive verdict. */
  settle?: string;
  /** True when the configuration was not run at all (skipped by the plan, e.g. identical to another). */
  notRun?: boolean;
  /** The figure and what decided it, in a few words: "0.218 ms @ 10,000 req/s: < 50 ms". */
  brief: string;
}

/** An open side of a range is null: "< 50 ms" has no lower end. */
export interface Range {
  min: number | null;
  max: number | null;
}

/** What the "article vs this run" chart draws for a claim (marks: byConfiguration[].measured). */
export interface ClaimBand {
  unit: MeasuredFigure['unit'];
  /** The article's figure as written: a point (min = max), a range, or a bound. */
  article: Range;
  /** What the verdict accepts once the wording is read (tolerance applied). */
  accepted: Range;
}

export interface ClaimVerdict {
  id: string;
  quote: string;
  articleFigure: string;
  /** The rule as judged, e.g. "< 50 ms" or "150,000 – 250,000 req/s (200,000 req/s ± 25 %)". */
  ruleText: string;
  /** How the article's wording was read, e.g. "approximate: every figure ± 25 %". */
  reading: string;
  verdict: Verdict;
  /** One sentence, at most SUMMARY_MAX_CHARS: the figure(s) and what decided the verdict. */
  summary: string;
  band: ClaimBand;
  byConfiguration: ConfigurationVerdict[];
  /** Human summary of what was measured, per configuration. */
  measured: string;
  /** For absolute throughput: the target's best configuration ÷ each other target's best. */
  ratio?: string;
  /** For hardware-dependent claims: the machine the figure was measured on. */
  hardwareNote?: string;
  reason: string;
  settle?: string;
}

// Compile-time: these interfaces and verdicts.json's zod schema (src/schema/verdicts.ts) are the same
// shape. A field added here without adding it there (or the other way round) fails `tsc`. The check
// lives here, not in the schema, so the schema layer never imports analysis.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameFigure: Same<MeasuredFigure, z.infer<typeof MeasuredFigureSchema>> = true;
const sameConfiguration: Same<ConfigurationVerdict, z.infer<typeof ConfigurationVerdictSchema>> = true;
const sameClaim: Same<ClaimVerdict, z.infer<typeof ClaimVerdictSchema>> = true;
void [sameFigure, sameConfiguration, sameClaim];
