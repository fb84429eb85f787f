/**
 * Summaries per (target name, configuration) across repetitions. Pure: RunDocument in, numbers out.
 *
 * Central value: the median of the repetitions (robust to one disturbed run); spread: min–max and
 * the relative spread (max − min) / median, so a reader sees how much repetitions disagree before
 * trusting a difference. With one repetition the spread is zero and `n` says so.
 *
 * Latency: the corrected histogram (wrk2's model: from the intended send time) when the step has
 * one, else the uncorrected one; `latencySource` always says which, and "mixed" when repetitions
 * differ, so a figure is never silently a blend of the two.
 */
import type { RunDocument, Step, TargetResult, PercentilesUs } from '../schema/run.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median; 0 when median is 0. */
  relativeSpread: number;
  /** Repetitions that contributed a value. */
  n: number;
}

export type LatencySource = 'corrected' | 'uncorrected' | 'mixed';

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, relativeSpread: m === 0 ? 0 : (max - min) / m, n: values.length };
}

function present<T>(values: readonly (T | null | undefined)[]): T[] {
  return values.filter((v): v is T => v !== null && v !== undefined);
}

/**
 * The latency percentiles a step is judged by: corrected when available, else uncorrected; null when
 * no request completed (no data — never zeros).
 */
export function stepLatency(step: Pick<Step, 'latencyUs'>): { source: 'corrected' | 'uncorrected'; us: PercentilesUs } | null {
  if (step.latencyUs.corrected) return { source: 'corrected', us: step.latencyUs.corrected };
  return step.latencyUs.uncorrected ? { source: 'uncorrected', us: step.latencyUs.uncorrected } : null;
}

/** Engine percentiles as stored: an empty histogram's (count 0) become null, "no data". */
export function latencyOrAbsent(latency: { uncorrected: PercentilesUs; corrected: PercentilesUs | null }): Step['latencyUs'] {
  if (latency.uncorrected.count === 0) return { uncorrected: null, corrected: null };
  return { uncorrected: latency.uncorrected, corrected: latency.corrected && latency.corrected.count > 0 ? latency.corrected : null };
}

/** Responses per second of target CPU time: achieved rps ÷ (target cpuPercent / 100). Null without CPU data. */
export function requestsPerCpuSecond(step: Step): number | null {
  const cpu = step.resources?.cpuPercent ?? step.cpuPercent;
  if (cpu === null || cpu === undefined || cpu <= 0) return null;
  return step.achievedRps / (cpu / 100);
}

/**
 * Requests the step meant to make. Open loop: the schedule (offered rate × duration), or what was
 * sent plus never sent if more. Closed loop: every attempt, a transport error being one.
 */
export function intendedRequests(step: Pick<Step, 'counts' | 'offeredRps' | 'durationS'>): number {
  const c = step.counts;
  // Engines that count the schedule themselves (counts.intended, the engine side of issue 12) are
  // taken at their word; the estimate below is for runs written without it.
  const counted = (c as { intended?: unknown }).intended;
  if (typeof counted === 'number') return Math.max(counted, c.sent + c.dropped);
  if (step.offeredRps === null) return Math.max(c.sent, c.completed + c.timeouts + c.errors);
  return Math.max(c.sent + c.dropped, Math.round(step.offeredRps * step.durationS));
}

/**
 * Intended requests that got no usable response (non-2xx, timeout, transport error), each counted
 * once. Transport errors are reported per connection attempt, so one request can show several (a
 * refused connection retried): they are charged only to requests with no other outcome, never
 * beyond the intended ones. Hence failed ≤ intended − dropped, and a rate cannot pass 100 %.
 */
export function failedRequests(step: Pick<Step, 'counts' | 'offeredRps' | 'durationS'>): number {
  const c = step.counts;
  const withoutOutcome = Math.max(0, intendedRequests(step) - c.completed - c.timeouts - c.dropped);
  return c.non2xx + c.timeouts + Math.min(c.errors, withoutOutcome);
}

/** One step summarised across repetitions (the closed-loop step, or every step at one offered rate). */
export interface StepSummary {
  kinds: Array<Step['kind']>;
  engines: Array<Step['engine']>;
  achievedRps: Spread;
  latencySource: LatencySource;
  /** Percentiles in µs, each summarised across the repetitions with data; null when none completed a request. */
  latencyUs: { p50: Spread; p90: Spread; p95: Spread; p99: Spread; p999: Spread; max: Spread } | null;
  targetCpuPercent: Spread | null;
  memoryPeakBytes: Spread | null;
  requestsPerCpuSecond: Spread | null;
  /** Failed requests (errors + timeouts + non-2xx, see failedRequests), summed over repetitions. */
  failed: number;
  sent: number;
  /** Intended requests (see intendedRequests), summed over repetitions: the base of failure rates. */
  intended: number;
  /** Repetitions in which the generator limited the step (figures are lower bounds). */
  generatorBound: number;
  /** Repetitions in which the step was past capacity. */
  saturated: number;
  /** Latency percentiles the generator could have caused in any repetition (generator.latencyCaveats). */
  tailsInDoubt: string[];
  notes: string[];
}

export interface RateSummary extends StepSummary {
  /** Offered rate, requests/s (open-loop and knee steps). */
  offeredRps: number;
}

export interface RepetitionProblem {
  repetition: number;
  status: TargetResult['status'];
  reason: string | null;
}

export interface GroupSummary {
  name: string;
  configuration: string;
  /** CPU budget of the configuration (the largest seen if repetitions differ). */
  cpus: number;
  repetitions: number;
  completed: number;
  /** Repetitions that did not complete, with their reason. */
  problems: RepetitionProblem[];
  /** The closed-loop step across repetitions; null when it never ran. */
  maxStep: StepSummary | null;
  maxThroughputRps: Spread | null;
  /** True when any repetition's closed-loop step was generator-bound: the figure is a lower bound. */
  maxThroughputIsLowerBound: boolean;
  /** Max throughput ÷ CPUs of the budget, requests/s per core. */
  throughputPerCoreRps: Spread | null;
  /** Closed-loop step: responses per target CPU-second. */
  requestsPerCpuSecond: Spread | null;
  /** Closed-loop step: target CPU, percent of one core. */
  maxStepCpuPercent: Spread | null;
  sustainableRps: Spread | null;
  sustainableIsLowerBound: boolean;
  imageSizeBytes: Spread | null;
  coldStartMs: Spread | null;
  memoryIdleBytes: Spread | null;
  memoryPeakBytes: Spread | null;
  rates: RateSummary[];
}

/** Groups in scenario order (targets, then configurations), then any others sorted by name. */
export function groupTargets(doc: RunDocument): Array<{ name: string; configuration: string; results: TargetResult[] }> {
  const order: string[] = [];
  for (const t of doc.scenario.targets) for (const c of t.configurations) order.push(`${t.name}\u0000${c.id}`);
  const byKey = new Map<string, TargetResult[]>();
  for (const r of doc.targets) {
    const key = `${r.name}\u0000${r.configuration}`;
    const list = byKey.get(key) ?? [];
    list.push(r);
    byKey.set(key, list);
  }
  const extra = [...byKey.keys()].filter((k) => !order.includes(k)).sort();
  return [...order, ...extra]
    .filter((k) => byKey.has(k))
    .map((key) => {
      const [name, configuration] = key.split('\u0000') as [string, string];
      const results = [...byKey.get(key)!].sort((a, b) => a.repetition - b.repetition);
      return { name, configuration, results };
    });
}

function maxStep(result: TargetResult): Step | undefined {
  return result.steps.find((s) => s.kind === 'max');
}

const TAIL_ORDER = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;

export function summariseSteps(steps: Step[]): StepSummary {
  const lat = present(steps.map(stepLatency));
  const sources = new Set(lat.map((l) => l.source));
  const pick = (k: keyof PercentilesUs) => spreadOf(lat.map((l) => l.us[k]))!;
  const notes: string[] = [];
  for (const s of steps) for (const n of s.notes) if (!notes.includes(n)) notes.push(n);
  return {
    kinds: [...new Set(steps.map((s) => s.kind))].sort(),
    engines: [...new Set(steps.map((s) => s.engine))].sort(),
    achievedRps: spreadOf(steps.map((s) => s.achievedRps))!,
    latencySource: sources.size > 1 ? 'mixed' : ([...sources][0] ?? 'uncorrected'),
    latencyUs:
      lat.length === 0 ? null : { p50: pick('p50'), p90: pick('p90'), p95: pick('p95'), p99: pick('p99'), p999: pick('p999'), max: pick('max') },
    targetCpuPercent: spreadOf(present(steps.map((s) => s.resources?.cpuPercent ?? s.cpuPercent))),
    memoryPeakBytes: spreadOf(present(steps.map((s) => s.resources?.memoryPeakBytes))),
    requestsPerCpuSecond: spreadOf(present(steps.map(requestsPerCpuSecond))),
    failed: steps.reduce((sum, s) => sum + failedRequests(s), 0),
    sent: steps.reduce((sum, s) => sum + s.counts.sent, 0),
    intended: steps.reduce((sum, s) => sum + intendedRequests(s), 0),
    generatorBound: steps.filter((s) => s.generator.bound).length,
    saturated: steps.filter((s) => s.saturated).length,
    tailsInDoubt: TAIL_ORDER.filter((p) => steps.some((s) => s.generator.latencyCaveats?.some((c) => c.percentile === p))),
    notes,
  };
}

function summariseRates(results: TargetResult[]): RateSummary[] {
  const byRate = new Map<number, Step[]>();
  for (const r of results) {
    for (const s of r.steps) {
      if (s.kind === 'max' || s.offeredRps === null) continue;
      const list = byRate.get(s.offeredRps) ?? [];
      list.push(s);
      byRate.set(s.offeredRps, list);
    }
  }
  return [...byRate.entries()].sort((a, b) => a[0] - b[0]).map(([offeredRps, steps]) => ({ offeredRps, ...summariseSteps(steps) }));
}

export function summariseGroup(name: string, configuration: string, results: TargetResult[]): GroupSummary {
  // Interrupted repetitions keep the steps they finished; their figures count, their absence of
  // later steps is reported by the run status.
  const usable = results.filter((r) => r.status === 'completed' || r.status === 'interrupted');
  const maxSteps = present(usable.map(maxStep));
  return {
    name,
    configuration,
    cpus: Math.max(...results.map((r) => r.cpus)),
    repetitions: results.length,
    completed: results.filter((r) => r.status === 'completed').length,
    problems: results.filter((r) => r.status !== 'completed').map((r) => ({ repetition: r.repetition, status: r.status, reason: r.reason })),
    maxStep: maxSteps.length > 0 ? summariseSteps(maxSteps) : null,
    maxThroughputRps: spreadOf(present(usable.map((r) => r.maxThroughputRps))),
    maxThroughputIsLowerBound: maxSteps.some((s) => s.generator.bound),
    throughputPerCoreRps: spreadOf(present(usable.map((r) => (r.maxThroughputRps === null ? null : r.maxThroughputRps / r.cpus)))),
    requestsPerCpuSecond: spreadOf(present(maxSteps.map(requestsPerCpuSecond))),
    maxStepCpuPercent: spreadOf(present(maxSteps.map((s) => s.resources?.cpuPercent ?? s.cpuPercent))),
    sustainableRps: spreadOf(present(usable.map((r) => r.sustainableRps))),
    sustainableIsLowerBound: usable.some((r) => r.sustainableIsLowerBound),
    imageSizeBytes: spreadOf(present(results.map((r) => r.image?.sizeBytes))),
    coldStartMs: spreadOf(present(usable.map((r) => r.coldStartMs))),
    memoryIdleBytes: spreadOf(present(usable.map((r) => r.memory?.idleBytes))),
    memoryPeakBytes: spreadOf(present(usable.map((r) => r.memory?.peakBytes))),
    rates: summariseRates(usable),
  };
}

export function summarise(doc: RunDocument): GroupSummary[] {
  return groupTargets(doc).map((g) => summariseGroup(g.name, g.configuration, g.results));
}
