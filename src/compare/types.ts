/**
 * The shapes `httpbench compare` produces (printed by `--json`, rendered by render-*.ts). The metrics
 * themselves (id, unit, direction, how each is read) are declared once in analysis/metrics.ts.
 */
import type { RunDocument } from '../schema/run.ts';
import type { Direction, MetricUnit } from '../analysis/metrics.ts';
import type { ThresholdKey, ThresholdsPercent } from './thresholds.ts';

export type { Direction, MetricUnit };

/**
 * Version of the comparison object printed by `--json`. 2: verdict `too-noisy`, spreads, noise,
 * detectable change, range overlap, scenario fingerprints, `gate`. 3: per-step failure rate,
 * saturation (method `failure-gate`, unit `fraction`), 2xx throughput and the sustainable rate.
 */
export const COMPARISON_VERSION = 3;

export const DEFAULT_ALPHA = 0.05;

/**
 * What compare says of one metric's change (a claim's verdict is another thing: analysis/claims.ts).
 * `too-noisy`: the repetitions spread more than the threshold and the change did not clear the spread.
 */
export type ChangeVerdict = 'improved' | 'regressed' | 'unchanged' | 'too-noisy';

/**
 * How the verdict was reached (every method also needs the change beyond threshold and spread):
 * - `mann-whitney`: U test, p < α;
 * - `threshold-low-confidence`: repetitions too few for the U test to ever reach α; ranges must not overlap;
 * - `threshold-only`: a single run on at least one side; ranges must not overlap;
 * - `not-comparable`: generator-bound or missing on a side; always `unchanged`;
 * - `failure-gate`: failures and saturation, judged against the scenario's own budget, not by a
 *   relative change (compare/gate.ts): a candidate that fails or saturates where the baseline did not
 *   regressed, whatever its latency says.
 */
export type ComparisonMethod = 'mann-whitney' | 'threshold-low-confidence' | 'threshold-only' | 'not-comparable' | 'failure-gate';

/** One side's values of a metric (the baseline's or the candidate's repetitions). */
export interface SideSummary {
  /** Per-repetition values, in repetition order, in the metric's unit. */
  values: number[];
  /** Median of `values`; null when there are none. */
  median: number | null;
  min: number | null;
  max: number | null;
  /** (max − min) / |median| × 100: how much this side's repetitions vary; null with < 2 values or median 0. */
  spreadPercent: number | null;
}

export interface MetricComparison {
  /** Stable id, e.g. "maxThroughputRps", "rate-200rps/p99Us". */
  id: string;
  /** For people, e.g. "p99 @ 200 rps". */
  label: string;
  family: ThresholdKey;
  unit: MetricUnit;
  direction: Direction;
  /** Offered rate of the compared step, requests/s; null for run-level metrics. */
  offeredRps: number | null;
  /** Which latency was compared (corrected = from intended send time); null for non-latency metrics. */
  latency: 'corrected' | 'uncorrected' | null;
  baseline: SideSummary;
  candidate: SideSummary;
  /** (candidate median − baseline median) / baseline median, percent; null when not computable. */
  changePercent: number | null;
  thresholdPercent: number;
  /** The larger of the two sides' spreadPercent (percent); null when neither side has 2 values. */
  noisePercent: number | null;
  /**
   * Smallest change this comparison could call, percent: max(threshold, noise), rounded up to a
   * whole percent; null when not comparable.
   */
  detectablePercent: number | null;
  /** Whether the two sides' [min, max] ranges overlap; null when not comparable. */
  rangesOverlap: boolean | null;
  /** Two-sided Mann–Whitney p-value; null when a side has fewer than 2 runs. */
  pValue: number | null;
  method: ComparisonMethod;
  verdict: ChangeVerdict;
  notes: string[];
}

export interface GroupComparison {
  target: string;
  configuration: string;
  /** Usable repetitions on each side (completed, or interrupted with the steps they finished: step-rules isUsable). */
  baselineRuns: number;
  candidateRuns: number;
  metrics: MetricComparison[];
  notes: string[];
}

export interface RunSummary {
  /** What the user called it (a path), for display only. */
  label: string;
  scenario: string;
  /** scenarioFingerprint() of the run's resolved scenario (src/compare/fingerprint.ts). */
  scenarioFingerprint: string;
  status: RunDocument['status'];
  startedAt: string;
  toolVersion: string;
  gitCommit: string | null;
  cpuModel: string;
  cpuCount: number;
  kernel: string;
  targetCpuset: string | null;
  /** The scenario's CPU budget per target (a count, or "half" of the host). */
  cpus: RunDocument['scenario']['resources']['cpus'];
}

export interface Comparison {
  comparisonVersion: typeof COMPARISON_VERSION;
  alpha: number;
  thresholdsPercent: ThresholdsPercent;
  baseline: RunSummary;
  candidate: RunSummary;
  /**
   * Set when the runs come from different scenarios — name or measurement fingerprint (only with
   * allowDifferentScenarios): names, fingerprints and the differing measurement settings.
   */
  scenarioMismatch: ScenarioMismatch | null;
  /** Machine differences that make the figures hard to compare (empty when none); kernel included. */
  environmentDifferences: string[];
  /** Run-level caveats a reader must see. */
  warnings: string[];
  groups: GroupComparison[];
  counts: { regressed: number; improved: number; unchanged: number; tooNoisy: number; notComparable: number; lowConfidence: number };
  /** True when any metric regressed: the CI exit code is 1. */
  hasRegression: boolean;
  /**
   * Fail-closed gate: why this comparison cannot pass a CI gate whatever the verdicts (a run not
   * `completed`, nothing judged, a baseline target/configuration with no completed candidate runs).
   * Non-empty → `gateOutcome` is `incomplete`.
   */
  incomplete: string[];
}

export interface ScenarioMismatch {
  baseline: string;
  candidate: string;
  baselineFingerprint: string;
  candidateFingerprint: string;
  /** Differing measurement settings, e.g. `load.steps.durationS: 3 vs 5`. */
  differences: string[];
}

/** What a CI gate makes of a comparison: `incomplete` wins over `regression` (the run must be redone first). */
export type GateOutcome = 'pass' | 'regression' | 'incomplete';

export interface CompareOptions {
  thresholdsPercent: ThresholdsPercent;
  /** Significance level of the U test. */
  alpha?: number;
  allowDifferentScenarios?: boolean;
  allowEnvMismatch?: boolean;
  baselineLabel?: string;
  candidateLabel?: string;
}
