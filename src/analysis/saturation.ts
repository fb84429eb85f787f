/**
 * When is a step past the target's capacity, and what is the highest sustainable rate (the knee)?
 * Pure functions of measured steps and the scenario's SLO.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Step } from '../schema/run.ts';
import { failureRate, stepLatency } from './step-rules.ts';

/** What saturation reads of a measured step (before target-side figures and classification are added). */
type MeasuredStep = Pick<Step, 'offeredRps' | 'achievedRps' | 'counts' | 'durationS' | 'latencyUs' | 'connections'>;

/** A step offered at R saturates the target when it completes less than this share of R (issue #3). */
export const SATURATION_ACHIEVED_RATIO = 0.95;
/** A rate counts as sustainable only when at least this share of it was achieved (issue #4: knee). */
export const SUSTAINABLE_ACHIEVED_RATIO = 0.99;

/** The p99 that SLOs judge: corrected (intended-time) when the engine measured it, else uncorrected; null without data. */
export function sloP99Us(step: Pick<Step, 'latencyUs'>): number | null {
  return stepLatency(step)?.us.p99 ?? null;
}

export function classifyStep(step: MeasuredStep, slo: Scenario['slo']): { saturated: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (step.offeredRps !== null && step.achievedRps < SATURATION_ACHIEVED_RATIO * step.offeredRps) {
    reasons.push(`achieved ${step.achievedRps.toFixed(0)} rps < ${SATURATION_ACHIEVED_RATIO * 100}% of offered ${step.offeredRps} rps`);
  }
  const fr = failureRate(step);
  if (fr > slo.errorRate) reasons.push(`failed requests ${(fr * 100).toFixed(2)}% > budget ${(slo.errorRate * 100).toFixed(2)}%`);
  const p99Us = sloP99Us(step);
  if (step.offeredRps !== null && p99Us === null) reasons.push('no request completed: no latency to judge');
  else if (step.offeredRps !== null && p99Us !== null && p99Us / 1000 > slo.p99Ms) reasons.push(`p99 ${(p99Us / 1000).toFixed(2)} ms > SLO ${slo.p99Ms} ms`);
  return { saturated: reasons.length > 0, reasons };
}

/** Sustainable: nearly all of the offered rate achieved, within the error budget and the p99 SLO. */
export function isSustainable(step: Step, slo: Scenario['slo']): boolean {
  return (
    step.offeredRps !== null &&
    step.achievedRps >= SUSTAINABLE_ACHIEVED_RATIO * step.offeredRps &&
    failureRate(step) <= slo.errorRate &&
    (sloP99Us(step) ?? Number.POSITIVE_INFINITY) / 1000 <= slo.p99Ms
  );
}

export interface Knee {
  /** Highest sustainable offered rate, rps; null when no step was sustainable. */
  sustainableRps: number | null;
  /**
   * True when that figure only bounds capacity from below: the first unsustainable step was limited
   * by the generator, or no step failed at all (capacity was never reached).
   */
  lowerBound: boolean;
  /** The next rate to try between the last good and the first bad step; null when done. */
  nextRateRps: number | null;
}

/** Knee search over open-loop steps (rate and knee kinds), bisecting between last good and first bad. */
export function findKnee(steps: readonly Step[], slo: Scenario['slo'], refinementsLeft: number): Knee {
  const rated = steps.filter((s) => s.offeredRps !== null).sort((a, b) => a.offeredRps! - b.offeredRps!);
  let good: Step | null = null;
  let bad: Step | null = null;
  for (const s of rated) {
    if (isSustainable(s, slo)) {
      if (bad === null) good = s;
    } else if (bad === null) bad = s;
  }
  const sustainableRps = good?.offeredRps ?? null;
  const lowerBound = bad === null || bad.generator.bound || (good?.generator.bound ?? false);
  let nextRateRps: number | null = null;
  if (refinementsLeft > 0 && good && bad && !bad.generator.bound) {
    const mid = Math.round((good.offeredRps! + bad.offeredRps!) / 2);
    // Stop when the interval is within 5 %: finer steps are inside run-to-run noise.
    if (mid > good.offeredRps! && (bad.offeredRps! - good.offeredRps!) / good.offeredRps! > 0.05) nextRateRps = mid;
  }
  return { sustainableRps, lowerBound, nextRateRps };
}

/**
 * Share of the connection pool busy on average (Little's law: achieved rate × mean latency ÷
 * connections) from which the pool, with one request in flight per connection, may be what capped
 * the rate rather than the target.
 */
export const POOL_BUSY_FRACTION = 0.7;
/** A target using less than this share of its CPU budget was not limited by its CPU. */
export const TARGET_CPU_BUSY_FRACTION = 0.9;

/**
 * The load side, not the target, may have limited a step even when the generator's CPU was idle:
 * the step fell short (closed loop: always, it measures capacity) while most connections were busy
 * and the target had CPU to spare. Then the figure is only a lower bound of the target's capacity.
 * Conservative on purpose: a target that cannot use its whole budget (one Python worker on four
 * CPUs) is reported as "≥", never as an exact capacity it may not have. Null when not limited, or
 * when the target's CPU is unknown (url: targets).
 */
export function loadSideLimit(step: MeasuredStep, targetCpuPercent: number | null, cpus: number): string | null {
  if (targetCpuPercent === null) return null;
  const short = step.offeredRps === null || step.achievedRps < SATURATION_ACHIEVED_RATIO * step.offeredRps;
  if (!short) return null;
  const busyConnections = (step.achievedRps * (step.latencyUs.uncorrected?.mean ?? 0)) / 1e6;
  const poolBusy = step.offeredRps === null || busyConnections >= POOL_BUSY_FRACTION * step.connections;
  const budget = cpus * 100;
  if (!poolBusy || targetCpuPercent >= TARGET_CPU_BUSY_FRACTION * budget) return null;
  return (
    `the target's CPUs were ${targetCpuPercent.toFixed(0)} % busy (budget ${budget} %, its database included when they share CPUs) while ` +
    `${step.offeredRps === null ? 'every' : `${busyConnections.toFixed(1)} of ${step.connections}`} connection${step.offeredRps === null ? '' : 's'} ` +
    `${step.offeredRps === null ? 'was' : 'were'} busy: more connections may go higher, so this is a lower bound`
  );
}
