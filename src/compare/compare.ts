/**
 * Baseline vs candidate comparison: pure, (baseline, candidate, options) → Comparison.
 *
 * For each (target, configuration) and metric, the per-repetition values of each side are compared.
 * A verdict other than `unchanged` always needs the median change to exceed both
 * - the metric's threshold (run-to-run noise, set from the A/A measurement: see thresholds.ts), and
 * - the noise the runs themselves show: the larger of the two sides' repetition spreads
 *   ((max − min) / median), so a change smaller than what repetitions of one commit already vary by
 *   is never a regression;
 * and then a confirmation that depends on the repetitions:
 * - enough runs per side for the test to reach α: Mann–Whitney U (as benchstat), p < α;
 * - runs on both sides but too few for p < α ever (n = 2..3 per side, benchstat's caveat): the two
 *   sides' ranges must not overlap; marked low-confidence;
 * - one run on a side: the same range rule (a single value outside the other side's range), marked so.
 * A metric whose spread is above its threshold cannot show a change of the threshold's size: unless
 * the change clears the spread anyway, it is `too-noisy` (a warning naming the smallest change it
 * could detect), never a regression.
 * Generator-bound steps are never judged (a saturated generator measures itself, not the target).
 */
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import { ConfigError } from '../errors.ts';
import { measurementDifferences, scenarioFingerprint } from './fingerprint.ts';
import { mannWhitneyU, minimumPValue } from './mannwhitney.ts';
import type { ThresholdKey, ThresholdsPercent } from './thresholds.ts';
import { groupResults } from '../analysis/groups.ts';
import { commonLatencyKind } from '../analysis/step-rules.ts';
import { median } from '../util/stats.ts';

export { median };

/**
 * Version of the comparison object printed by `--json`. 2: verdict `too-noisy`, spreads, noise,
 * detectable change, range overlap, scenario fingerprints, `gate`.
 */
export const COMPARISON_VERSION = 2;

export const DEFAULT_ALPHA = 0.05;

/** `too-noisy`: the repetitions spread more than the threshold and the change did not clear the spread. */
export type Verdict = 'improved' | 'regressed' | 'unchanged' | 'too-noisy';

/**
 * How the verdict was reached (every method also needs the change beyond threshold and spread):
 * - `mann-whitney`: U test, p < α;
 * - `threshold-low-confidence`: repetitions too few for the U test to ever reach α; ranges must not overlap;
 * - `threshold-only`: a single run on at least one side; ranges must not overlap;
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
  baseline: SampleSummary;
  candidate: SampleSummary;
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

export function gateOutcome(c: Comparison): GateOutcome {
  if (c.incomplete.length > 0) return 'incomplete';
  return c.hasRegression ? 'regression' : 'pass';
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

  const scenarioMismatch = scenarioDiff(baseline, candidate);
  if (scenarioMismatch && !options.allowDifferentScenarios) {
    throw new ConfigError(
      `the runs come from different scenarios: baseline "${scenarioMismatch.baseline}" (measurement fingerprint ${scenarioMismatch.baselineFingerprint}), ` +
        `candidate "${scenarioMismatch.candidate}" (measurement fingerprint ${scenarioMismatch.candidateFingerprint})`,
      { problems: scenarioMismatch.differences, hint: 'compare runs of the same scenario file, or pass --allow-different-scenarios' },
    );
  }

  const refusing = environmentDiff(baseline, candidate);
  if (refusing.length > 0 && !options.allowEnvMismatch) {
    throw new ConfigError('the runs were measured on different environments', {
      problems: refusing,
      hint: 'compare runs from the same machine type, or pass --allow-env-mismatch (the output then flags it)',
    });
  }
  const environmentDifferences = [...refusing, ...environmentAdvisories(baseline, candidate)];

  const warnings: string[] = [];
  const incomplete: string[] = [];
  for (const [side, doc] of [['baseline', baseline], ['candidate', candidate]] as const) {
    if (doc.status !== 'completed') incomplete.push(`${side} run status is "${doc.status}", not "completed"`);
  }
  if (scenarioMismatch) {
    warnings.push(
      `different scenarios: "${scenarioMismatch.baseline}" (${scenarioMismatch.baselineFingerprint}) vs "${scenarioMismatch.candidate}" (${scenarioMismatch.candidateFingerprint})` +
        (scenarioMismatch.differences.length ? `: ${scenarioMismatch.differences.join('; ')}` : ''),
    );
  }
  for (const d of environmentDifferences) warnings.push(`environment differs: ${d}`);
  if (JSON.stringify(baseline.scenario.compare ?? null) !== JSON.stringify(candidate.scenario.compare ?? null)) {
    warnings.push("the scenarios' compare: sections differ between baseline and candidate (the candidate's applies unless --thresholds/--threshold override it)");
  }

  const groups = groupResults([...baseline.targets, ...candidate.targets]).map(({ name, configuration }) =>
    compareGroup(
      completedRuns(baseline, name, configuration),
      completedRuns(candidate, name, configuration),
      name,
      configuration,
      options.thresholdsPercent,
      alpha,
    ),
  );

  for (const g of groups) {
    // A target the baseline measured and the candidate did not complete is the loudest regression
    // there is (or a broken run): the gate must not pass it.
    if (g.candidateRuns === 0 && g.baselineRuns > 0) incomplete.push(`${g.target}/${g.configuration}: no completed runs in the candidate (failed or skipped?) — nothing judged`);
    else if (g.candidateRuns === 0) warnings.push(`${g.target}/${g.configuration}: no completed runs on either side — nothing judged`);
    else if (g.baselineRuns === 0) warnings.push(`${g.target}/${g.configuration}: not in the baseline — nothing judged`);
  }
  const all = groups.flatMap((g) => g.metrics);
  const counts = {
    regressed: all.filter((m) => m.verdict === 'regressed').length,
    improved: all.filter((m) => m.verdict === 'improved').length,
    unchanged: all.filter((m) => m.verdict === 'unchanged').length,
    tooNoisy: all.filter((m) => m.verdict === 'too-noisy').length,
    notComparable: all.filter((m) => m.method === 'not-comparable').length,
    lowConfidence: all.filter((m) => m.method === 'threshold-low-confidence' || m.method === 'threshold-only').length,
  };
  const judged = all.length - counts.notComparable;
  if (judged === 0) incomplete.push('nothing comparable was judged (0 metrics measured on both sides and comparable)');
  if (counts.tooNoisy > 0) {
    const noisy = groups.flatMap((g) => g.metrics.filter((m) => m.verdict === 'too-noisy').map((m) => `${g.target}/${g.configuration} ${m.label} ±${m.detectablePercent} %`));
    const shown = noisy.slice(0, 8).join(', ') + (noisy.length > 8 ? `, … ${noisy.length - 8} more` : '');
    warnings.push(
      `${counts.tooNoisy} metric(s) too noisy to judge at their thresholds — the repetitions spread more than the threshold; ` +
        `smallest change each could detect: ${shown}`,
    );
  }
  if (counts.lowConfidence > 0) {
    const runs = all.filter((m) => m.method === 'threshold-low-confidence' || m.method === 'threshold-only');
    const smallest = Math.min(...runs.map((m) => Math.min(m.baseline.values.length, m.candidate.values.length)));
    warnings.push(
      `${counts.lowConfidence} metric(s) judged by threshold and non-overlapping ranges (low confidence): with ${smallest} run(s) on a side the Mann–Whitney U test ` +
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
    incomplete,
  };
}

/** Null when both runs come from the same scenario: same name and same measurement fingerprint. */
function scenarioDiff(baseline: RunDocument, candidate: RunDocument): ScenarioMismatch | null {
  const baselineFingerprint = scenarioFingerprint(baseline.scenario);
  const candidateFingerprint = scenarioFingerprint(candidate.scenario);
  if (baseline.scenario.name === candidate.scenario.name && baselineFingerprint === candidateFingerprint) return null;
  return {
    baseline: baseline.scenario.name,
    candidate: candidate.scenario.name,
    baselineFingerprint,
    candidateFingerprint,
    differences: measurementDifferences(baseline.scenario, candidate.scenario),
  };
}

function summarizeRun(doc: RunDocument, label: string): RunSummary {
  return {
    label,
    scenario: doc.scenario.name,
    scenarioFingerprint: scenarioFingerprint(doc.scenario),
    status: doc.status,
    startedAt: doc.startedAt,
    toolVersion: doc.tool.version,
    gitCommit: doc.environment.gitCommit,
    cpuModel: doc.environment.cpuModel,
    cpuCount: doc.environment.cpuCount,
    kernel: doc.environment.kernel,
    targetCpuset: doc.environment.cpusets.target,
    cpus: doc.scenario.resources.cpus,
  };
}

/**
 * Differences that make two machines' figures incomparable (refused unless allowed): CPU model, CPU
 * count, target CPUs, generator worker threads.
 */
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
  if (baseline.scenario.load.workers !== candidate.scenario.load.workers) {
    out.push(`generator workers (load.workers): ${baseline.scenario.load.workers} vs ${candidate.scenario.load.workers}`);
  }
  // The instrument of the closed-loop maximum (autocannon's one thread before, our engine on every load
  // CPU now) moves the figure by itself: runs measured with different ones are not comparable.
  const maxEngines = (doc: RunDocument) => [...new Set(doc.targets.flatMap((t) => t.steps.filter((st) => st.kind === 'max').map((st) => st.engine)))].sort().join('+');
  const [bm, cm] = [maxEngines(baseline), maxEngines(candidate)];
  if (bm !== '' && cm !== '' && bm !== cm) out.push(`closed-loop max step engine: ${bm} vs ${cm}`);
  out.push(...targetHostDiff(baseline, candidate));
  return out;
}

/** Two-host runs: the targets' machine must match as the load machine must (one host vs two too). */
function targetHostDiff(baseline: RunDocument, candidate: RunDocument): string[] {
  const b = baseline.hosts?.find((h) => h.role === 'targets');
  const c = candidate.hosts?.find((h) => h.role === 'targets');
  if (!b && !c) return [];
  if (!b || !c) return [`targets host: ${b ? 'a separate machine' : 'this machine'} vs ${c ? 'a separate machine' : 'this machine'}`];
  const out: string[] = [];
  if (b.cpuModel !== c.cpuModel) out.push(`targets host cpuModel: "${b.cpuModel}" vs "${c.cpuModel}"`);
  if (b.cpuCount !== c.cpuCount) out.push(`targets host cpuCount: ${b.cpuCount} vs ${c.cpuCount}`);
  if (b.memoryBytes !== c.memoryBytes) out.push(`targets host memory: ${b.memoryBytes} vs ${c.memoryBytes} bytes`);
  return out;
}

/**
 * Differences worth a loud warning but not a refusal: the kernel (CI runner images update it often,
 * and a refusal on every update would make the gate useless; the A/A figures say how much it matters).
 */
export function environmentAdvisories(baseline: RunDocument, candidate: RunDocument): string[] {
  const b = baseline.environment;
  const c = candidate.environment;
  const out = b.kernel === c.kernel ? [] : [`kernel: "${b.kernel}" vs "${c.kernel}"`];
  const bt = baseline.hosts?.find((h) => h.role === 'targets');
  const ct = candidate.hosts?.find((h) => h.role === 'targets');
  if (bt && ct && bt.kernel !== ct.kernel) out.push(`targets host kernel: "${bt.kernel}" vs "${ct.kernel}"`);
  if (bt && ct && bt.dockerVersion !== ct.dockerVersion) out.push(`targets host Docker: ${bt.dockerVersion ?? '—'} vs ${ct.dockerVersion ?? '—'}`);
  return out;
}

/** Completed repetitions of one (target, configuration), by repetition number. */
function completedRuns(doc: RunDocument, target: string, configuration: string): TargetResult[] {
  const group = groupResults(doc.targets).find((g) => g.name === target && g.configuration === configuration);
  return (group?.results ?? []).filter((t) => t.status === 'completed');
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
    const kind = commonLatencyKind([...bLat, ...cLat]);
    const corrected = kind === 'corrected';
    const pick = (s: Step) => s.latencyUs[kind]!;
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

function summarize(values: number[]): SampleSummary {
  const mid = median(values);
  const min = values.length ? Math.min(...values) : null;
  const max = values.length ? Math.max(...values) : null;
  const spreadPercent = values.length >= 2 && mid !== null && mid !== 0 ? ((max! - min!) / Math.abs(mid)) * 100 : null;
  return { values, median: mid, min, max, spreadPercent };
}

/** Applies the decision rule described at the top of this file to one metric. */
export function judge(ctx: { thresholds: ThresholdsPercent; alpha: number }, m: MetricInput): MetricComparison {
  const thresholdPercent = ctx.thresholds[m.family];
  const baseline = summarize(m.baseline);
  const candidate = summarize(m.candidate);
  const notes = [...(m.extraNotes ?? [])];
  const spreads = [baseline.spreadPercent, candidate.spreadPercent].filter((x): x is number => x !== null);
  const noisePercent = spreads.length ? Math.max(...spreads) : null;
  const result = (
    method: ComparisonMethod,
    verdict: Verdict,
    changePercent: number | null,
    pValue: number | null,
    judged: { detectablePercent: number; rangesOverlap: boolean } | null,
  ): MetricComparison => ({
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
    noisePercent,
    detectablePercent: judged?.detectablePercent ?? null,
    rangesOverlap: judged?.rangesOverlap ?? null,
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
    return result('not-comparable', 'unchanged', changePercent, pValue, null);
  }
  if (nB === 0 || nC === 0) {
    notes.unshift(`not measured in the ${nB === 0 ? 'baseline' : 'candidate'}`);
    return result('not-comparable', 'unchanged', changePercent, pValue, null);
  }
  if (changePercent === null) {
    notes.unshift('baseline median is 0: relative change undefined');
    return result('not-comparable', 'unchanged', changePercent, pValue, null);
  }

  const size = Math.abs(changePercent);
  const beyondThreshold = size > thresholdPercent;
  const beyondNoise = noisePercent === null || size > noisePercent;
  const rangesOverlap = !(candidate.min! > baseline.max! || candidate.max! < baseline.min!);
  const tooNoisy = noisePercent !== null && noisePercent > thresholdPercent;
  // The smallest change that could clear both bars, rounded up so "±38 %" never promises more.
  const detectablePercent = Math.ceil(Math.max(thresholdPercent, noisePercent ?? 0));
  const testable = pValue !== null && minimumPValue(nB, nC) <= ctx.alpha;
  const method: ComparisonMethod = testable ? 'mann-whitney' : pValue !== null ? 'threshold-low-confidence' : 'threshold-only';
  // Too few runs for the test: the method column and a run-level warning say so (not repeated per row).
  const confirmed = testable ? pValue! < ctx.alpha : !rangesOverlap;
  const judged = { detectablePercent, rangesOverlap };

  if (beyondThreshold && beyondNoise && confirmed) {
    const better = m.direction === 'higher-is-better' ? changePercent > 0 : changePercent < 0;
    if (tooNoisy) notes.push(`spread ${noisePercent!.toFixed(1)} % is above the threshold, but the change clears it`);
    return result(method, better ? 'improved' : 'regressed', changePercent, pValue, judged);
  }
  if (beyondThreshold) {
    const moved = `median moved ${formatSigned(changePercent)} %`;
    if (!beyondNoise) notes.push(`${moved}, less than the repetitions' spread (${noisePercent!.toFixed(1)} %): within the noise`);
    else if (testable) notes.push(`${moved} but p = ${pValue!.toPrecision(2)} ≥ α = ${ctx.alpha}: within the noise`);
    else notes.push(`${moved} but the two sides' ranges overlap: within the noise`);
  }
  if (tooNoisy) {
    notes.push(`too noisy for the ${thresholdPercent} % threshold: smallest detectable change ±${detectablePercent} %`);
    return result(method, 'too-noisy', changePercent, pValue, judged);
  }
  return result(method, 'unchanged', changePercent, pValue, judged);
}

function formatSigned(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}
