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
import { stepContention } from './contention.ts';
import type { RunDocument, Step, TargetResult, PercentilesUs } from '../schema/run.ts';
import { PERCENTILES } from '../schema/percentiles.ts';
import { median } from '../util/stats.ts';
import { groupTargets } from './groups.ts';
import { failedRequests, intendedRequests, isUsable, stepLatency } from './step-rules.ts';

// Moved to step-rules.ts; re-exported for src/run/run.ts, which imports them from here.

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

export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const m = median(values)!;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, relativeSpread: m === 0 ? 0 : (max - min) / m, n: values.length };
}

function present<T>(values: readonly (T | null | undefined)[]): T[] {
  return values.filter((v): v is T => v !== null && v !== undefined);
}

/** Responses per second of target CPU time: achieved rps ÷ (target cpuPercent / 100). Null without CPU data. */
export function requestsPerCpuSecond(step: Step): number | null {
  const cpu = step.resources?.cpuPercent ?? step.cpuPercent;
  if (cpu === null || cpu === undefined || cpu <= 0) return null;
  return step.achievedRps / (cpu / 100);
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
  /** Repetitions in which other processes or steal took the step's CPUs (analysis/contention.ts). */
  contended: number;
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

function maxStep(result: TargetResult): Step | undefined {
  return result.steps.find((s) => s.kind === 'max');
}

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
    tailsInDoubt: PERCENTILES.filter((p) => steps.some((s) => s.generator.latencyCaveats?.some((c) => c.percentile === p))),
    contended: steps.filter((s) => stepContention(s) !== null).length,
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
  const usable = results.filter(isUsable);
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
