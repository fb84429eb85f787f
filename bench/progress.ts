/**
 * `npm run bench:progress`: what the live progress line costs the thread that draws it, and why its
 * p99 comes from a ring of recent latencies rather than the step's histogram. Three timings, each the
 * median of 5 batches: formatting one progress line, the p99 of a full 2,048-value ring
 * (samples/recent.ts), and getValueAtPercentile(99) on a packed HDR histogram holding 100,000 values.
 */
import { formatProgressLine, type ProgressView } from '../src/progress/format.ts';
import { createHistogram, recordUs } from '../src/samples/histogram.ts';
import { RecentLatencies } from '../src/samples/recent.ts';

function medianUs(batches: number, perBatch: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    times.push(((performance.now() - t0) * 1000) / perBatch);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const view: ProgressView = {
  runsTotal: 12,
  runsStarted: 4,
  perRunS: 70,
  doneInRunS: 20,
  step: { label: 'go-chi/gomaxprocs-1#1', kind: 'rate', rateRps: 10_000, durationS: 5, startedMs: 0 },
  snapshot: { elapsedMs: 2500, sent: 25_000, completed: 24_990, errors: 0, p99Us: 812 },
};
const ring = new RecentLatencies();
const histogram = createHistogram();
for (let i = 0; i < 100_000; i++) {
  const us = 50 + ((i * 7919) % 5000);
  recordUs(histogram, us);
  ring.record(us);
}

console.log(`Node ${process.version}; median of 5 batches`);
console.log(`format one progress line:            ${medianUs(5, 20_000, () => formatProgressLine(view, 2500)).toFixed(1)} µs`);
console.log(`p99 of the 2,048-value ring:         ${medianUs(5, 200, () => ring.percentile(99)).toFixed(1)} µs`);
console.log(`p99 of a packed HDR histogram:       ${medianUs(5, 20, () => histogram.getValueAtPercentile(99)).toFixed(1)} µs`);
