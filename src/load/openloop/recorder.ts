/**
 * Where one share (one thread's connections) records what happened: HDR histograms in µs and counts.
 * Histograms, not arrays, so memory stays flat however many requests a step sends.
 */
import { createHistogram, encodeHistogram, HIGHEST_US, type Histogram } from '../../samples/histogram.ts';
import type { Counts } from '../../schema/run.ts';

/**
 * A send that leaves more than this after max(intended time, connection free) counts as `late`.
 * 1 ms: below it, a send is as punctual as Node's timers can be without spinning the whole wait.
 */
export const LATE_THRESHOLD_US = 1000;

export class Recorder {
  readonly uncorrected: Histogram = createHistogram();
  readonly corrected: Histogram = createHistogram();
  readonly lateness: Histogram = createHistogram();
  /** Corrected latencies per interval of completion time, keyed by interval index from the start. */
  readonly intervals = new Map<number, Histogram>();
  readonly counts: Counts = { sent: 0, completed: 0, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 };

  /** Start of the schedule (nowUs clock), set when the share starts; intervals count from it. */
  startUs = 0;

  constructor(
    private readonly intervalUs: number,
    /** Closed loop has no intended times: only uncorrected latency is recorded. */
    private readonly openLoop: boolean,
  ) {}

  sent(latenessUs: number): void {
    this.counts.sent++;
    if (!this.openLoop) return;
    // recordValue directly (not recordUs): lateness is often 0 and recordUs clamps to ≥ 1 µs.
    this.lateness.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(latenessUs))));
    if (latenessUs > LATE_THRESHOLD_US) this.counts.late++;
  }

  /** A response completed at `endUs` for a request intended at `intendedUs`, written at `sentUs`. */
  completed(status: number, intendedUs: number, sentUs: number, latenessUs: number, endUs: number): void {
    this.counts.completed++;
    if (status < 200 || status > 299) this.counts.non2xx++;
    record(this.uncorrected, endUs - sentUs);
    if (!this.openLoop) return;
    // wrk2's corrected latency, minus the generator's own lateness: waits for a busy connection
    // (coordinated omission) stay in, the generator's sluggishness does not.
    const correctedUs = endUs - intendedUs - latenessUs;
    record(this.corrected, correctedUs);
    const index = Math.max(0, Math.floor((endUs - this.startUs) / this.intervalUs));
    let h = this.intervals.get(index);
    if (!h) {
      h = createHistogram();
      this.intervals.set(index, h);
    }
    record(h, correctedUs);
  }

  error(kind: string): void {
    this.counts.errors++;
    this.counts.errorsByKind[kind] = (this.counts.errorsByKind[kind] ?? 0) + 1;
  }

  timeout(): void {
    this.counts.timeouts++;
  }

  encodeIntervals(): Array<[number, string]> {
    return [...this.intervals.entries()].sort((a, b) => a[0] - b[0]).map(([i, h]) => [i, encodeHistogram(h)]);
  }
}

function record(h: Histogram, valueUs: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(valueUs))));
}
