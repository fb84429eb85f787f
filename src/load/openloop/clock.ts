/**
 * The engine's clock: µs as a float from process.hrtime (CLOCK_MONOTONIC), the same clock in every
 * worker thread, so a start time chosen by the main thread means the same instant in each worker.
 * (performance.now() has a per-thread origin.) ns since boot stays far below 2^53, so the double is exact.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}
