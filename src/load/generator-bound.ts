/**
 * Did the generator, not the target, limit a step? Pure function over what the engine measured, so
 * the rules are tested with exact numbers. A bound step is reported with its reasons, never hidden:
 * its figures are then lower bounds of what the target can do.
 */

/**
 * Median lateness S − max(I, F) above 1 ms: the pacer is behind on most sends, not just jittery.
 * Under sleep pacing Node timers fire up to ~1 ms late and the pacer spins only the last ≤ 300 µs
 * (openloop/share.ts), so a healthy generator's median is a few hundred µs; spin pacing is within a
 * loop turn.
 */
export const LATENESS_P50_LIMIT_US = 1000;
/**
 * p99 lateness above 10 ms: 1 % of sends leave in bursts long enough to change what the target sees.
 * Measured here (2-core VM, 100–200 rps, generator idle): timer jitter alone gives p99 of 2–3 ms and
 * 5–8 % of sends over 1 ms late, with the offered rate fully delivered — that is pacing noise, which
 * corrected latency already excludes, not a generator that limits the step. It is reported as a note.
 */
export const LATENESS_P99_LIMIT_US = 10_000;
/** More than a quarter of sends over 1 ms late (LATE_THRESHOLD_US): pacing has lost the schedule. */
export const LATE_FRACTION_LIMIT = 0.25;
/**
 * More than 0.5 % of intended sends dropped while their connection sat idle: the pacer missed slots
 * it could have sent. Judged as a fraction: one slot in 2,500 lost at the edge of a step once ended a
 * whole sweep (issue #10) though the target saw the offered rate; a pacer that really falls behind
 * loses far more than 0.5 %.
 */
export const DROPPED_FRACTION_LIMIT = 0.005;
/** Achieved below 95 % of offered … */
export const ACHIEVED_FRACTION_MIN = 0.95;
/**
 * … while the generator's threads were ≥ 90 % busy: the shortfall is then likely ours. (A shortfall
 * with idle generator CPU is the target's: slow responses, errors.)
 */
export const CPU_BUSY_FRACTION = 0.9;

export interface GeneratorFigures {
  /** Offered rate, requests/s; null for closed loop. */
  offeredRps: number | null;
  achievedRps: number;
  sent: number;
  /** Requests the schedule intended (open loop); the denominator of the drop fraction. */
  intended: number;
  late: number;
  /** Scheduled sends skipped while their connection was idle (open loop). */
  droppedByGenerator: number;
  /** p50 and p99 generator lateness, µs; null when not measured (closed loop, autocannon). */
  latenessP50Us: number | null;
  latenessP99Us: number | null;
  /** CPU the generator spent working, percent of one core (spin pacing: without idle polling). */
  cpuPercent: number;
  /** Threads that generate load (workers), capped by the CPUs the process may use. */
  busyThreads: number;
}

export function generatorBound(f: GeneratorFigures): { bound: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const cpuLimit = CPU_BUSY_FRACTION * 100 * f.busyThreads;
  const cpuBusy = f.cpuPercent >= cpuLimit;
  if (f.latenessP50Us !== null && f.latenessP50Us > LATENESS_P50_LIMIT_US) {
    reasons.push(`generator lateness p50 ${Math.round(f.latenessP50Us)} µs > ${LATENESS_P50_LIMIT_US} µs`);
  }
  if (f.latenessP99Us !== null && f.latenessP99Us > LATENESS_P99_LIMIT_US) {
    reasons.push(`generator lateness p99 ${Math.round(f.latenessP99Us)} µs > ${LATENESS_P99_LIMIT_US} µs`);
  }
  if (f.sent > 0 && f.late / f.sent > LATE_FRACTION_LIMIT) {
    reasons.push(`${pct(f.late / f.sent)} of sends were late (limit ${pct(LATE_FRACTION_LIMIT)})`);
  }
  if (f.intended > 0 && f.droppedByGenerator / f.intended > DROPPED_FRACTION_LIMIT) {
    reasons.push(`${f.droppedByGenerator} of ${f.intended} scheduled sends (${pct(f.droppedByGenerator / f.intended)}) were dropped while their connection was free (limit ${pct(DROPPED_FRACTION_LIMIT)})`);
  }
  if (f.offeredRps !== null && f.achievedRps < ACHIEVED_FRACTION_MIN * f.offeredRps && cpuBusy) {
    reasons.push(
      `achieved ${f.achievedRps.toFixed(1)} rps < ${pct(ACHIEVED_FRACTION_MIN)} of offered ${f.offeredRps} rps with generator CPU ${Math.round(f.cpuPercent)} % ≥ ${Math.round(cpuLimit)} %`,
    );
  }
  if (f.offeredRps === null && cpuBusy) {
    reasons.push(`closed-loop step with generator CPU ${Math.round(f.cpuPercent)} % ≥ ${Math.round(cpuLimit)} %: throughput may be the generator's`);
  }
  return { bound: reasons.length > 0, reasons };
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.01 ? 2 : fraction < 0.1 ? 1 : 0)} %`;
}

/**
 * Should a generator-bound step end the rate sweep? Only when the load side ran out of capacity: it
 * fell short of the offered rate, or the generator's work CPU reached the busy limit. Then a higher
 * rate would measure the generator, not the target. Pacing trouble alone (late sends, a stall of a
 * shared VM) marks the step — its figures count nowhere — but says nothing about the next rate:
 * one such step once ended a FastAPI sweep at 1,000 req/s on a target that sustains 15,000.
 */
export function generatorAtCapacity(step: {
  offeredRps: number | null;
  achievedRps: number;
  generator: { cpuPercent: number; workCpuPercent?: number | null | undefined; workers: number };
}): boolean {
  if (step.offeredRps === null || step.achievedRps < ACHIEVED_FRACTION_MIN * step.offeredRps) return true;
  const work = step.generator.workCpuPercent ?? step.generator.cpuPercent;
  return work >= CPU_BUSY_FRACTION * 100 * step.generator.workers;
}
