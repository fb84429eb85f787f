/**
 * Live progress of a run, for people: one line for the step being measured (target/configuration,
 * step, elapsed/remaining, achieved rate, errors, p99 so far) and a run-level estimate of the measuring
 * time left. Pure: the caller passes the clock reading and the engine's latest snapshot.
 */
import { formatMsFromUs, formatNumber, formatRps } from '../util/format.ts';
import type { StepProgressSnapshot } from '../load/types.ts';

export type ProgressStepKind = 'warmup' | 'max' | 'rate' | 'knee';

export interface ProgressStep {
  /** e.g. "go-chi/gomaxprocs-1#1". */
  label: string;
  kind: ProgressStepKind;
  /** Offered rate, req/s; null for closed loop. */
  rateRps: number | null;
  durationS: number;
  /** Clock reading (ms) when the step started. */
  startedMs: number;
}

export interface ProgressView {
  /** Target runs that will measure (skipped ones excluded). */
  runsTotal: number;
  /** Runs started so far, the current one included. */
  runsStarted: number;
  /** Upper bound of one run's measuring time, s (run/executor.ts plannedRunS). */
  perRunS: number;
  /** Planned seconds of the current run's finished steps. */
  doneInRunS: number;
  step: ProgressStep | null;
  /** The engine's latest counters for `step`; null before its first report (or an engine without one). */
  snapshot: StepProgressSnapshot | null;
}

/** "4m05s", "59s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function stepName(step: ProgressStep): string {
  if (step.kind === 'warmup') return 'warm-up';
  if (step.kind === 'max') return 'max (closed loop)';
  return `${step.kind} ${formatRps(step.rateRps ?? 0)} rps`;
}

/** Upper bound of the measuring time left in the whole run, s. */
export function runRemainingS(view: ProgressView, stepElapsedS: number): number {
  const inRun = Math.max(0, view.perRunS - view.doneInRunS - stepElapsedS);
  return inRun + Math.max(0, view.runsTotal - view.runsStarted) * view.perRunS;
}

/** The live line; null when no step is running. */
export function formatProgressLine(view: ProgressView, nowMs: number): string | null {
  const step = view.step;
  if (!step) return null;
  const snap = view.snapshot;
  // The engine's own elapsed time when it reports, else the clock's (engines without a hook).
  const elapsedS = Math.min(step.durationS, Math.max(0, (snap ? snap.elapsedMs : nowMs - step.startedMs) / 1000));
  const parts = [`[${step.label}] ${stepName(step)}`, `${formatNumber(elapsedS, 1)}/${formatNumber(step.durationS, 1)} s`];
  if (snap && snap.elapsedMs > 0) {
    parts.push(`achieved ${formatRps(snap.completed / (snap.elapsedMs / 1000))} rps`);
    parts.push(`errors ${formatNumber(snap.errors)}`);
    parts.push(snap.p99Us === null ? 'p99 —' : `p99 ${formatMsFromUs(snap.p99Us)} ms`);
  }
  parts.push(`run ${view.runsStarted}/${view.runsTotal}, ≤ ${formatDuration(runRemainingS(view, elapsedS))} of measuring left`);
  return parts.join(' · ');
}
