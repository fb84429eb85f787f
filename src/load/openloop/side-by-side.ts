/**
 * Several targets measured at once by ONE measuring thread (duet benchmarking, Bulej et al. 2020):
 * one share per target, every share on this thread's event loop, all started at one instant. Whatever
 * disturbs the machine during the step — the hypervisor waking a halted vCPU late, a timer storm, a
 * neighbour — disturbs every target in the same seconds, so a ratio between them cancels it. Measured
 * on this project's 2-vCPU VM (`npm run bench:duet`, bench/results/duet-2026-12-03): two identical
 * go-chi containers, 12 pairs of 2 s steps; the spread of log(B/A) at 500 req/s was 12.6 % (p50),
 * 49 % (p95), 20 % (p99) one after the other and 4.3 %, 11 %, 13 % side by side (at 200 req/s: p50
 * 9 % both ways, p99 39 → 25 %, p95 20 → 26 %).
 *
 * Open loop: each target gets the step's full rate on its own schedule; `phasesUs[i]` shifts target
 * i's schedule (half a slot puts one target's sends between the other's, so neither queues behind the
 * other on a shared CPU, and swapping the phases between trials cancels any advantage of going
 * first). Closed loop: every target's connections send as fast as it answers; targets on the same
 * CPUs then split them, so their throughputs compare efficiency per request, not capacity alone.
 *
 * The generator's figures (CPU, work, lateness) are the one thread's, shared by every target's step:
 * a thread busy with two schedules is judged on both. Closed loop, a target faster than the one
 * thread (go-chi on this VM) leaves every duet's max step generator-bound: not compared, as alone.
 */
import { nowUs } from './clock.ts';
import { buildStep, cpuSince, DEFAULT_PACING, shareSpecOf, START_LEAD_US, workPercent, type OpenLoopOptions } from './engine.ts';
import { Share, type Pacing } from './share.ts';
import { assertConnectionsFit } from '../fd-limit.ts';
import type { EngineStep, StepSpec } from '../types.ts';

/** Half the step's slot spacing, µs: the phase that puts one target's sends between the other's. */
export function halfSlotUs(rateRps: number): number {
  return 5e5 / rateRps;
}

/** Runs one step per spec side by side on this thread; results in spec order. */
export async function runSideBySide(specs: readonly StepSpec[], phasesUs: readonly number[], signal?: AbortSignal, options: OpenLoopOptions = {}): Promise<EngineStep[]> {
  if (specs.length === 0) return [];
  // One thread paces every target: they share its pacing (the first spec's, as the caller sets all alike).
  const pacing: Pacing = specs[0]!.pacing ?? DEFAULT_PACING;
  assertConnectionsFit(specs.reduce((s, x) => s + x.connections, 0));
  // One id stream for all: every target is asked for the same ids in the same order, as it would be alone.
  const shares = specs.map((spec) => new Share(shareSpecOf(spec, pacing, Array.from({ length: spec.connections }, (_, g) => g), 0, options)));
  const notes = [`measured side by side with ${specs.length - 1} other target(s) by one generator thread (duet): the generator figures are the thread's, for all of them`];
  await Promise.all(shares.map((s) => s.connect()));
  const onAbort = () => shares.forEach((s) => s.abort());
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const startUs = nowUs() + START_LEAD_US;
  const startEpochMs = Date.now() + START_LEAD_US / 1000;
  const cpu0 = process.cpuUsage();
  const wall0 = nowUs();
  try {
    const results = await Promise.all(shares.map((s, i) => s.run(startUs + Math.max(0, phasesUs[i] ?? 0))));
    const cpuPercent = cpuSince(cpu0, wall0);
    // Each share counts the time between its own turns, where the other shares sent and read, as
    // work when anything happened in it: each share's figure is already nearly the thread's, and a
    // sum would count the thread's work once per target (a duet read 118–185 % of one core).
    const threadWork = Math.max(...results.map((r) => workPercent([r])));
    return specs.map((spec, i) => buildStep(spec, 1, pacing, [results[i]!], cpuPercent, [...notes], startEpochMs, 1, threadWork));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
