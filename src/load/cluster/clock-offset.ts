/**
 * Wall-clock instants shared between machines. A generator node's clock is not this machine's: the
 * orchestrator measures each node's offset by round trips (Cristian's algorithm, as NTP's on-wire
 * exchange without its filters): it reads its clock (t0), asks the node for the node's (t1), reads
 * its own again (t2). The node read its clock somewhere between t0 and t2, so
 * offset = t1 − (t0 + t2)/2 is off by at most half the round trip; of several rounds the one with the
 * shortest round trip gives the tightest bound. That bound is stored with every share (residual
 * error), never hidden.
 *
 * The clock both sides read is performance.timeOrigin + performance.now(): wall-clock time of the
 * process start advanced by the monotonic clock, so an NTP step during a run cannot move an instant
 * already agreed; the engine's own clock (nowUs) is converted from it once, just before the start.
 */
import { performance } from 'node:perf_hooks';
import { nowUs } from '../openloop/clock.ts';

/** Microseconds since the Unix epoch on this process's monotonic-based wall clock. */
export function epochNowUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** An instant given as epoch µs on this process's wall clock (epochNowUs), on the engine's clock (nowUs). */
export function epochToEngineUs(epochUs: number): number {
  return nowUs() + (epochUs - epochNowUs());
}

/** One round trip: local clock before (t0) and after (t2) the request, the remote clock read in between (t1). µs. */
export interface ClockSample {
  t0Us: number;
  t1Us: number;
  t2Us: number;
}

export interface ClockOffset {
  /** Remote clock minus this machine's clock, µs (a remote instant = local instant + offsetUs). */
  offsetUs: number;
  /** Bound on the offset's error: half the shortest round trip, µs. */
  errorUs: number;
  /** Round trips measured. */
  rounds: number;
}

/** The offset from the round trip with the shortest duration; throws on no samples. Pure. */
export function estimateOffset(samples: readonly ClockSample[]): ClockOffset {
  if (samples.length === 0) throw new RangeError('no clock samples');
  let best = samples[0]!;
  for (const s of samples) if (s.t2Us - s.t0Us < best.t2Us - best.t0Us) best = s;
  return { offsetUs: best.t1Us - (best.t0Us + best.t2Us) / 2, errorUs: (best.t2Us - best.t0Us) / 2, rounds: samples.length };
}

/** Measures an offset with `rounds` sequential round trips to `readRemoteUs` (the remote clock, µs). */
export async function measureOffset(readRemoteUs: () => Promise<number>, rounds: number, now: () => number = epochNowUs): Promise<ClockOffset> {
  const samples: ClockSample[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0Us = now();
    const t1Us = await readRemoteUs();
    samples.push({ t0Us, t1Us, t2Us: now() });
  }
  return estimateOffset(samples);
}
