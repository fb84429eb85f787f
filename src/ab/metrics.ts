/**
 * What `ab` reads from each measured step: the one place it does. The figures come from the shared
 * rules (analysis/metrics.ts for 2xx throughput, analysis/step-rules.ts for latency, failures and the
 * ±1 % rate match); what is ab's own is the pairing: per step of a trial it reads
 *
 * - latency p50/p95/p99, µs: `stepLatency(step)` (corrected when measured, else uncorrected) —
 *   open-loop rate steps only;
 * - 2xx throughput, requests/s: (counts.completed − counts.non2xx) ÷ durationS — the max step
 *   (closed loop: the "max throughput") and every rate step; a non-2xx response is never "served";
 * - failure rate: `failureRate(step)` (non-2xx, timeouts, transport errors over the intended requests);
 * - saturated: `step.saturated` (classifyStep: < 95 % of the offered rate, failures over the
 *   budget, p99 over the SLO, or no latency at all);
 * - comparable: false when `step.generator.bound` (the load side was the limit: the figure measures
 *   the generator, not the target), and for a percentile with fewer than MIN_RESPONSES_BEYOND
 *   responses beyond it in the step.
 *
 * Pure.
 */
import { served2xxRps } from '../analysis/metrics.ts';
import { failureRate, matchesRate, stepLatency } from '../analysis/step-rules.ts';
import { TAIL_FRACTION } from '../schema/percentiles.ts';
import type { Step } from '../schema/run.ts';

/** How a metric is judged: a paired ratio (higher or lower is worse), or the failure/capacity gate. */
export type MetricKind = 'latency' | 'throughput';
export type PercentileKey = 'p50' | 'p95' | 'p99';
/** Keys of the thresholds (percent, the worse direction). */
export type ThresholdKey = PercentileKey | 'maxThroughput' | 'throughput2xx';

export interface MetricDef {
  /** Stable id: "max/throughput2xx", "rate-200/p99". */
  id: string;
  label: string;
  /** Offered rate of the step it reads; null for the closed-loop max step. */
  rateRps: number | null;
  kind: MetricKind;
  threshold: ThresholdKey;
  /** Higher is worse (latency) or lower is worse (throughput). */
  worse: 'higher' | 'lower';
}

/** A metric's figure in one step: null when the step has none (no completed request). */
export interface Reading {
  value: number | null;
  comparable: boolean;
  /** Why not comparable (one phrase), when not. */
  reason?: string;
}

export const PERCENTILES: readonly PercentileKey[] = ['p50', 'p95', 'p99'];

/** The metrics a trial of these rates yields, in report order. */
export function metricDefs(ratesRps: readonly number[]): MetricDef[] {
  const defs: MetricDef[] = [{ id: 'max/throughput2xx', label: 'max throughput (2xx, closed loop)', rateRps: null, kind: 'throughput', threshold: 'maxThroughput', worse: 'lower' }];
  for (const rate of ratesRps) {
    for (const p of PERCENTILES) defs.push({ id: `rate-${rate}/${p}`, label: `${p} at ${rate} req/s`, rateRps: rate, kind: 'latency', threshold: p, worse: 'higher' });
    defs.push({ id: `rate-${rate}/throughput2xx`, label: `2xx throughput at ${rate} req/s`, rateRps: rate, kind: 'throughput', threshold: 'throughput2xx', worse: 'lower' });
  }
  return defs;
}

/** The step a metric reads among one side's steps of one trial. */
export function stepFor(steps: readonly Step[], rateRps: number | null): Step | undefined {
  return rateRps === null ? steps.find((s) => s.kind === 'max') : steps.find((s) => s.kind === 'rate' && s.offeredRps !== null && matchesRate(s.offeredRps, rateRps));
}

/** One metric's reading in one side's steps of a trial. */
export function readMetric(def: MetricDef, steps: readonly Step[]): Reading {
  const step = stepFor(steps, def.rateRps);
  if (!step) return { value: null, comparable: false, reason: 'not measured' };
  if (step.generator.bound) return { value: null, comparable: false, reason: 'generator-bound' };
  if (def.kind === 'throughput') return { value: served2xxRps(step), comparable: true };
  const lat = stepLatency(step);
  if (!lat) return { value: null, comparable: true, reason: 'no request completed' };
  const p = def.threshold as PercentileKey;
  const beyond = lat.us.count * TAIL_FRACTION[p];
  if (beyond < MIN_RESPONSES_BEYOND) {
    return { value: null, comparable: false, reason: `${p} resting on ${Math.floor(beyond)} response(s) beyond it (${lat.us.count} in the step; ≥ ${MIN_RESPONSES_BEYOND} needed: a longer --step-s)` };
  }
  return { value: lat.us[p], comparable: true };
}

/**
 * Responses a step must have beyond a percentile for its figure to be compared pair by pair. In the
 * duet A/A series (bench/README.md "A/B in one job") the paired log-ratio of a p99 resting on 4
 * responses (2 s at 200 req/s) spread 22 %, and one A/A run in ten read +17.8 % [+4.3, +39.6] as a
 * regression; resting on 10 (2 s at 500 req/s) it spread 11 %. Such a figure is the few slowest
 * requests of the step, not its p99: with fewer than 8 beyond it, the pair is not comparable.
 */
export const MIN_RESPONSES_BEYOND = 8;

/** The failure and capacity figures of one side at one rate (null rate: the max step). */
export interface GateReading {
  failureRate: number;
  saturated: boolean;
  /** Failed requests and intended requests, for pooling over trials. */
  measured: boolean;
}

export function readGate(steps: readonly Step[], rateRps: number | null): GateReading {
  const step = stepFor(steps, rateRps);
  if (!step) return { failureRate: 0, saturated: false, measured: false };
  // The closed-loop step is saturated by design: only its failures count.
  return { failureRate: failureRate(step), saturated: rateRps !== null && step.saturated, measured: true };
}
