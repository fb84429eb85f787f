/**
 * The engine's clock: µs as a float on CLOCK_MONOTONIC, the same clock in every worker thread, so a
 * start time chosen by the main thread means the same instant in each worker.
 *
 * Read through performance.now(), which returns a plain double: process.hrtime.bigint() allocates a
 * BigInt on every call, and the engine reads the clock several times per request — garbage that
 * ends as GC pauses on the measuring thread. performance.now() counts from a per-thread origin, so
 * each thread computes once the offset between it and hrtime (both are uv_hrtime underneath).
 */
import { performance } from 'node:perf_hooks';

function originOffsetUs(): number {
  // Bracket one hrtime read between two performance.now() reads and take the midpoint: < 1 µs error.
  const before = performance.now();
  const hr = Number(process.hrtime.bigint()) / 1000;
  const after = performance.now();
  return hr - ((before + after) / 2) * 1000;
}

const OFFSET_US = originOffsetUs();

export function nowUs(): number {
  return performance.now() * 1000 + OFFSET_US;
}
