/**
 * Baseline vs candidate comparison: pure, (baseline, candidate, options) → Comparison.
 *
 * For each (target, configuration) and metric, the per-repetition values of each side are compared:
 * - ≥ 2 runs per side and enough runs for the test to reach α: Mann–Whitney U (as benchstat) — a
 *   verdict other than `unchanged` needs p < α AND a median change beyond the metric's threshold;
 * - runs on both sides but too few for p < α ever (n = 2..3 per side, benchstat's caveat): the
 *   threshold on the median alone, marked low-confidence;
 * - one run per side: the threshold alone, marked so.
 * Generator-bound steps are never judged (a saturated generator measures itself, not the target).
 */
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import { ConfigError } from '../errors.ts';
import { mannWhitneyU, minimumPValue } from './mannwhitney.ts';
import type { ThresholdKey, ThresholdsPercent } from './thresholds.ts';

/** Version of the comparison object printed by `--json`. */
export const COMPARISON_VERSION = 1;

export const DEFAULT_ALPHA = 0.05;

export type Verdict = 'improved' | 'regressed' | 'unchanged';

/**
 * How the verdict was reached:
 * - `mann-whitney`: U test (p < α) and median change beyond the threshold;
 * - `threshold-low-confidence`: repetitions too few for the U test to ever reach α; threshold only;
 * - `threshold-only`: a single run on at least one side; threshold only;
 * - `not-comparable`: generator-bound or missing on a side; always `unchanged`.
 */
export type ComparisonMethod = 'mann-whitney' | 'threshold-low-confidence' | 'threshold-only' | 'not-comparable';

export type Direction = 'higher-is-better' | 'lower-is-better';

/** Unit of a metric's values: requests/s, microseconds, bytes, milliseconds. */
export type MetricUnit = 'rps' | 'us' | 'bytes' | 'ms';

export interface SampleSummary {
  /** Per-repetition values, in repetition order, in the metric's unit. */
  values: number[];
  /** Median of `values`; null when there are none. */
  median: number | null;
  min: number | null;
  max: number | null;
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
  baseline: SampleSummary;
  candidate: SampleSummary;
  /** (candidate median − baseline median) / baseline median, percent; null when not computable. */
  changePercent: number | null;
  thresholdPercent: number;
  /** Two-sided Mann–Whitney p-value; null when a side has fewer than 2 runs. */
  pValue: number | null;
  method: ComparisonMethod;
  verdict: Verdict;
  notes: string[];
}

export interface GroupComparison {
  target: string;
  configuration: string;
  /** Completed repetitions on each side. */
  baselineRuns: number;
  candidateRuns: number;
  metrics: MetricComparison[];
  notes: string[];
}

export interface RunSummary {
  /** What the user called it (a path), for display only. */
  label: string;
  scenario: string;
  status: RunDocument['status'];
  startedAt: string;
  toolVersion: string;
  gitCommit: string | null;
  cpuModel: string;
  cpuCount: number;
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
  /** Set when the runs come from different scenarios (only with allowDifferentScenarios). */
  scenarioMismatch: { baseline: string; candidate: string } | null;
  /** Machine differences that make the figures hard to compare (empty when none). */
  environmentDifferences: string[];
  /** Run-level caveats a reader must see. */
  warnings: string[];
  groups: GroupComparison[];
  counts: { regressed: number; improved: number; unchanged: number; notComparable: number; lowConfidence: number };
  /** True when any metric regressed: the CI exit code is 1. */
  hasRegression: boolean;
}

export interface CompareOptions {
  thresholdsPercent: ThresholdsPercent;
  /** Significance level of the U test. */
  alpha?: number;
  allowDifferentScenarios?: boolean;
  allowEnvMismatch?: boolean;
  baselineLabel?: string;
  candidateLabel?: string;
}

export const GENERATOR_BOUND_NOTE = 'generator-bound, not comparable';

/** Compares two runs. Throws ConfigError for a scenario or environment mismatch that was not allowed. */
export function compareRuns(baseline: RunDocument, candidate: RunDocument, options: CompareOptions): Comparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`alpha must be between 0 and 1, got ${alpha}`, { hint: 'use e.g. --alpha 0.05' });

  const scenarioMismatch =
    baseline.scenario.name === candidate.scenario.name ? null : { baseline: baseline.scenario.name, candidate: candidate.scenario.name };
  if (scenarioMismatch && !options.allowDifferentScenarios) {
    throw new ConfigError(
      `the runs come from different scenarios: baseline "${scenarioMismatch.baseline}", candidate "${scenarioMismatch.candidate}"`,
      { hint: 'compare runs of the same scenario, or pass --allow-different-scenarios' },
    );
  }

  const environmentDifferences = environmentDiff(baseline, candidate);
  if (environmentDifferences.length > 0 && !options.allowEnvMismatch) {
    throw new ConfigError('the runs were measured on different environments', {
      problems: environmentDifferences,
      hint: 'compare runs from the same machine type, or pass --allow-env-mismatch (the output then flags it)',
    });
  }

  const warnings: string[] = [];
  for (const [side, doc] of [['baseline', baseline], ['candidate', candidate]] as const) {
    if (doc.status !== 'completed') warnings.push(`${side} run status is "${doc.status}", not "completed"`);
  }
  if (scenarioMismatch) warnings.push(`different scenarios: "${scenarioMismatch.baseline}" vs "${scenarioMismatch.candidate}"`);
  for (const d of environmentDifferences) warnings.push(`environment differs: ${d}`);

  const groups = groupKeys(baseline, candidate).map(({ target, configuration }) =>
    compareGroup(
      completedRuns(baseline, target, configuration),
      completedRuns(candidate, target, configuration),
      target,
      configuration,
      options.thresholdsPercent,
      alpha,
    ),
  );

  for (const g of groups) {
    if (g.candidateRuns === 0) warnings.push(`${g.target}/${g.configuration}: no completed runs in the candidate (failed or skipped?) — nothing judged`);
    else if (g.baselineRuns === 0) warnings.push(`${g.target}/${g.configuration}: not in the baseline — nothing judged`);
  }
  const all = groups.flatMap((g) => g.metrics);
  const counts = {
    regressed: all.filter((m) => m.verdict === 'regressed').length,
    improved: all.filter((m) => m.verdict === 'improved').length,
    unchanged: all.filter((m) => m.verdict === 'unchanged').length,
    notComparable: all.filter((m) => m.method === 'not-comparable').length,
    lowConfidence: all.filter((m) => m.method === 'threshold-low-confidence' || m.method === 'threshold-only').length,
  };
  if (counts.lowConfidence > 0) {
    const runs = all.filter((m) => m.method === 'threshold-low-confidence' || m.method === 'threshold-only');
    const smallest = Math.min(...runs.map((m) => Math.min(m.baseline.values.length, m.candidate.values.length)));
    warnings.push(
      `${counts.lowConfidence} metric(s) judged by threshold only (low confidence): with ${smallest} run(s) on a side the Mann–Whitney U test ` +
        `cannot reach p < ${alpha} (smallest possible p = ${minimumPValue(smallest, smallest).toPrecision(2)}); raise the scenario's repeat to ≥ 4, ideally 5+`,
    );
  }

  return {
    comparisonVersion: COMPARISON_VERSION,
    alpha,
    thresholdsPercent: { ...options.thresholdsPercent },
    baseline: summarizeRun(baseline, options.baselineLabel ?? 'baseline'),
    candidate: summarizeRun(candidate, options.candidateLabel ?? 'candidate'),
    scenarioMismatch,
    environmentDifferences,
    warnings,
    groups,
    counts,
    hasRegression: counts.regressed > 0,
  };
}

function summarizeRun(doc: RunDocument, label: string): RunSummary {
  return {
    label,
    scenario: doc.scenario.name,
    status: doc.status,
    startedAt: doc.startedAt,
    toolVersion: doc.tool.version,
    gitCommit: doc.environment.gitCommit,
    cpuModel: doc.environment.cpuModel,
    cpuCount: doc.environment.cpuCount,
    targetCpuset: doc.environment.cpusets.target,
    cpus: doc.scenario.resources.cpus,
  };
}

/** Differences that make two machines' figures incomparable: CPU model, CPU count, target CPUs. */
export function environmentDiff(baseline: RunDocument, candidate: RunDocument): string[] {
  const b = baseline.environment;
  const c = candidate.environment;
  const out: string[] = [];
  if (b.cpuModel !== c.cpuModel) out.push(`cpuModel: "${b.cpuModel}" vs "${c.cpuModel}"`);
  if (b.cpuCount !== c.cpuCount) out.push(`cpuCount: ${b.cpuCount} vs ${c.cpuCount}`);
  if (b.cpusets.target !== c.cpusets.target) out.push(`target cpuset: ${b.cpusets.target ?? 'none'} vs ${c.cpusets.target ?? 'none'}`);
  if (baseline.scenario.resources.cpus !== candidate.scenario.resources.cpus) {
    out.push(`target CPUs (resources.cpus): ${baseline.scenario.resources.cpus} vs ${candidate.scenario.resources.cpus}`);
  }
  return out;
}

/** (target, configuration) pairs of either run, baseline order first. */
function groupKeys(baseline: RunDocument, candidate: RunDocument): { target: string; configuration: string }[] {
  const seen = new Map<string, { target: string; configuration: string }>();
  for (const t of [...baseline.targets, ...candidate.targets]) {
    const key = `${t.name}\u0000${t.configuration}`;
    if (!seen.has(key)) seen.set(key, { target: t.name, configuration: t.configuration });
  }
  return [...seen.values()];
}

function completedRuns(doc: RunDocument, target: string, configuration: string): TargetResult[] {
  return doc.targets
    .filter((t) => t.name === target && t.configuration === configuration && t.status === 'completed')
    .sort((a, b) => a.repetition - b.repetition);
}

function compareGroup(
  base: TargetResult[],
  cand: TargetResult[],
  target: string,
  configuration: string,
  thresholds: ThresholdsPercent,
  alpha: number,
): GroupComparison {
  const notes: string[] = [];
  if (base.length === 0) notes.push('no completed runs in the baseline: nothing to compare against');
  if (cand.length === 0) notes.push('no completed runs in the candidate');
  const baseCpus = new Set(base.map((t) => t.cpus));
  const candCpus = new Set(cand.map((t) => t.cpus));
  if ([...baseCpus].some((c) => !candCpus.has(c)) || [...candCpus].some((c) => !baseCpus.has(c))) {
    notes.push(`CPU budget differs: ${[...baseCpus].join('/')} vs ${[...candCpus].join('/')} CPUs`);
  }
  const metrics: MetricComparison[] = [];
  if (base.length === 0 || cand.length === 0) return { target, configuration, baselineRuns: base.length, candidateRuns: cand.length, metrics, notes };

  const ctx = { thresholds, alpha };
  const maxBound = [...base, ...cand].some((t) => t.steps.some((s) => s.kind === 'max' && s.generator.bound));
  metrics.push(
    judge(ctx, {
      id: 'maxThroughputRps',
      label: 'max throughput',
      family: 'throughput',
      unit: 'rps',
      direction: 'higher-is-better',
      offeredRps: null,
      latency: null,
      baseline: numbers(base.map((t) => t.maxThroughputRps)),
      candidate: numbers(cand.map((t) => t.maxThroughputRps)),
      notComparable: maxBound ? GENERATOR_BOUND_NOTE : null,
    }),
  );

  // Open-loop steps matched by offered rate. Knee refinement steps are skipped: their rates come
  // from a search and differ from run to run.
  const rates = new Set<number>();
  for (const t of [...base, ...cand]) for (const s of t.steps) if (s.kind === 'rate' && s.offeredRps !== null) rates.add(s.offeredRps);
  for (const rate of [...rates].sort((a, b) => a - b)) {
    const bSteps = stepsAt(base, rate);
    const cSteps = stepsAt(cand, rate);
    if (bSteps.length === 0 || cSteps.length === 0) {
      notes.push(`step at ${rate} rps only in the ${bSteps.length === 0 ? 'candidate' : 'baseline'}: not compared`);
      continue;
    }
    const bound = [...bSteps, ...cSteps].some((s) => s.generator.bound) ? GENERATOR_BOUND_NOTE : null;
    const slug = `rate-${rate}rps`;
    metrics.push(
      judge(ctx, {
        id: `${slug}/achievedRps`,
        label: `achieved rate @ ${rate} rps`,
        family: 'achievedRps',
        unit: 'rps',
        direction: 'higher-is-better',
        offeredRps: rate,
        latency: null,
        baseline: bSteps.map((s) => s.achievedRps),
        candidate: cSteps.map((s) => s.achievedRps),
        notComparable: bound,
      }),
    );
    // Steps where no request completed have no latency (null): left out of the latency samples, so
    // a side made only of them is "not measured", never a 0 µs improvement.
    const bLat = bSteps.filter((s) => s.latencyUs.uncorrected !== null);
    const cLat = cSteps.filter((s) => s.latencyUs.uncorrected !== null);
    // Corrected latency (wrk2 model) when every step on both sides has it; else uncorrected for all.
    const corrected = [...bLat, ...cLat].every((s) => s.latencyUs.corrected !== null);
    const pick = (s: Step) => (corrected ? s.latencyUs.corrected! : s.latencyUs.uncorrected!);
    for (const p of ['p50', 'p95', 'p99'] as const) {
      metrics.push(
        judge(ctx, {
          id: `${slug}/${p}Us`,
          label: `${p} @ ${rate} rps`,
          family: p,
          unit: 'us',
          direction: 'lower-is-better',
          offeredRps: rate,
          latency: corrected ? 'corrected' : 'uncorrected',
          baseline: bLat.map((s) => pick(s)[p]),
          candidate: cLat.map((s) => pick(s)[p]),
          notComparable: bound,
          extraNotes: corrected ? [] : ['uncorrected latency (corrected not available on both sides)'],
        }),
      );
    }
  }

  metrics.push(
    judge(ctx, {
      id: 'memoryPeakBytes',
      label: 'memory peak',
      family: 'memory',
      unit: 'bytes',
      direction: 'lower-is-better',
      offeredRps: null,
      latency: null,
      baseline: numbers(base.map((t) => t.memory?.peakBytes ?? null)),
      candidate: numbers(cand.map((t) => t.memory?.peakBytes ?? null)),
      notComparable: null,
    }),
    judge(ctx, {
      id: 'coldStartMs',
      label: 'cold start',
      family: 'coldStart',
      unit: 'ms',
      direction: 'lower-is-better',
      offeredRps: null,
      latency: null,
      baseline: numbers(base.map((t) => t.coldStartMs)),
      candidate: numbers(cand.map((t) => t.coldStartMs)),
      notComparable: null,
    }),
    judge(ctx, {
      id: 'imageSizeBytes',
      label: 'image size',
      family: 'imageSize',
      unit: 'bytes',
      direction: 'lower-is-better',
      offeredRps: null,
      latency: null,
      baseline: numbers(base.map((t) => t.image?.sizeBytes ?? null)),
      candidate: numbers(cand.map((t) => t.image?.sizeBytes ?? null)),
      notComparable: null,
    }),
  );
  // Metrics that no run on either side measured (e.g. image size of url: targets) are left out.
  const present = metrics.filter((m) => m.baseline.values.length > 0 || m.candidate.values.length > 0);
  return { target, configuration, baselineRuns: base.length, candidateRuns: cand.length, metrics: present, notes };
}

/** The first open-loop step at `rate` of each run that has one. */
function stepsAt(runs: TargetResult[], rate: number): Step[] {
  return runs.flatMap((t) => {
    const s = t.steps.find((x) => x.kind === 'rate' && x.offeredRps === rate);
    return s ? [s] : [];
  });
}

function numbers(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

/** What a metric is (as in MetricComparison) plus the raw values of each side. */
interface MetricInput extends Pick<MetricComparison, 'id' | 'label' | 'family' | 'unit' | 'direction' | 'offeredRps' | 'latency'> {
  baseline: number[];
  candidate: number[];
  /** Reason the metric must not be judged, or null. */
  notComparable: string | null;
  extraNotes?: string[];
}

/** Median (mean of the middle two for even n); null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function summarize(values: number[]): SampleSummary {
  return {
    values,
    median: median(values),
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
}

/** Applies the decision rule described at the top of this file to one metric. */
export function judge(ctx: { thresholds: ThresholdsPercent; alpha: number }, m: MetricInput): MetricComparison {
  const thresholdPercent = ctx.thresholds[m.family];
  const baseline = summarize(m.baseline);
  const candidate = summarize(m.candidate);
  const notes = [...(m.extraNotes ?? [])];
  const result = (method: ComparisonMethod, verdict: Verdict, changePercent: number | null, pValue: number | null): MetricComparison => ({
    id: m.id,
    label: m.label,
    family: m.family,
    unit: m.unit,
    direction: m.direction,
    offeredRps: m.offeredRps,
    latency: m.latency,
    baseline,
    candidate,
    changePercent,
    thresholdPercent,
    pValue,
    method,
    verdict,
    notes,
  });

  const nB = m.baseline.length;
  const nC = m.candidate.length;
  const pValue = nB >= 2 && nC >= 2 ? mannWhitneyU(m.candidate, m.baseline).pValue : null;
  let changePercent: number | null = null;
  if (baseline.median !== null && candidate.median !== null) {
    if (baseline.median !== 0) changePercent = ((candidate.median - baseline.median) / Math.abs(baseline.median)) * 100;
    else if (candidate.median === 0) changePercent = 0;
  }

  if (m.notComparable) {
    notes.unshift(m.notComparable);
    return result('not-comparable', 'unchanged', changePercent, pValue);
  }
  if (nB === 0 || nC === 0) {
    notes.unshift(`not measured in the ${nB === 0 ? 'baseline' : 'candidate'}`);
    return result('not-comparable', 'unchanged', changePercent, pValue);
  }
  if (changePercent === null) {
    notes.unshift('baseline median is 0: relative change undefined');
    return result('not-comparable', 'unchanged', changePercent, pValue);
  }

  const beyondThreshold = Math.abs(changePercent) > thresholdPercent;
  const better = m.direction === 'higher-is-better' ? changePercent > 0 : changePercent < 0;
  const moved: Verdict = beyondThreshold ? (better ? 'improved' : 'regressed') : 'unchanged';

  if (pValue !== null && minimumPValue(nB, nC) <= ctx.alpha) {
    if (beyondThreshold && pValue >= ctx.alpha) {
      notes.push(`median moved ${formatSigned(changePercent)} % but p = ${pValue.toPrecision(2)} ≥ α = ${ctx.alpha}: within the noise`);
      return result('mann-whitney', 'unchanged', changePercent, pValue);
    }
    return result('mann-whitney', moved, changePercent, pValue);
  }
  // Too few runs for the test: the method column and a run-level warning say so (not repeated per row).
  if (pValue !== null) return result('threshold-low-confidence', moved, changePercent, pValue);
  return result('threshold-only', moved, changePercent, pValue);
}

function formatSigned(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}
