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

/**
 * A figure at or above (1 − CEILING_MARGIN) × the load side's measured ceiling is the load side's: the
 * ceiling is one short closed-loop step, and on this project's 2-vCPU VM the same closed-loop figure moves
 * by up to ~8 % between steps minutes apart (bench/README.md, capacity), so a target within 10 % of it
 * cannot be told apart from the generator's own limit.
 */
export const CEILING_MARGIN = 0.1;

/** The load side's throughput ceiling (calibration, src/run/run.ts), as the rules read it. */
export interface CeilingFigure {
  rps: number;
  limitedBy: 'generator' | 'calibration server' | 'unknown';
  marginFraction: number;
}

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
  /**
   * The load side's measured ceiling with the same threads and connections. When known it decides
   * closed-loop steps instead of the CPU rule: a busy-polling thread reads as busy whenever responses
   * keep arriving, so its work CPU says little about how much more it could send; the ceiling is measured.
   */
  ceiling?: CeilingFigure | null;
}

/** Why a figure near the ceiling is the load side's, or null when it is clear of it. */
export function nearCeiling(rps: number, ceiling: CeilingFigure | null | undefined): string | null {
  if (!ceiling || ceiling.rps <= 0 || rps < (1 - ceiling.marginFraction) * ceiling.rps) return null;
  const what =
    ceiling.limitedBy === 'generator'
      ? "the generator's own limit"
      : ceiling.limitedBy === 'calibration server'
        ? 'limited by the calibration server there, so the generator\'s own limit is at least that'
        : 'limited by neither CPU: connections or the network';
  const measuredAt = `${Math.round(ceiling.rps)} req/s (closed loop against the calibration server, ${what})`;
  if (rps > ceiling.rps) {
    // The ceiling was measured low (something else ran then, or the server was the limit): the load
    // side's real limit is unknown, so the figure cannot be vouched for as the target's.
    return `${Math.round(rps)} req/s is above the load side's ceiling measured in this run, ${measuredAt}: its real limit is unknown, so the figure may be the load side's`;
  }
  return `${Math.round(rps)} req/s is within ${Math.round(ceiling.marginFraction * 100)} % of the load side's measured ceiling ${measuredAt}: the figure may be the load side's`;
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
  const short = f.offeredRps !== null && f.achievedRps < ACHIEVED_FRACTION_MIN * f.offeredRps;
  if (short && cpuBusy) {
    reasons.push(
      `achieved ${f.achievedRps.toFixed(1)} rps < ${pct(ACHIEVED_FRACTION_MIN)} of offered ${f.offeredRps} rps with generator CPU ${Math.round(f.cpuPercent)} % ≥ ${Math.round(cpuLimit)} %`,
    );
  }
  // An open-loop shortfall at a rate near the ceiling: the load side may not have been able to offer it.
  const offeredNear = short && !cpuBusy ? nearCeiling(f.offeredRps!, f.ceiling) : null;
  if (offeredNear) reasons.push(`achieved ${f.achievedRps.toFixed(1)} rps < ${pct(ACHIEVED_FRACTION_MIN)} of offered: offered ${offeredNear}`);
  if (f.offeredRps === null) {
    if (f.ceiling) {
      const near = nearCeiling(f.achievedRps, f.ceiling);
      if (near) reasons.push(`closed-loop step: ${near}`);
    } else if (cpuBusy) {
      reasons.push(`closed-loop step with generator CPU ${Math.round(f.cpuPercent)} % ≥ ${Math.round(cpuLimit)} %: throughput may be the generator's`);
    }
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
