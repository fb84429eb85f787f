/**
 * Where one share (one thread's connections) records what happened: HDR histograms in µs and counts.
 * Histograms, not arrays, so memory stays flat however many requests a step sends.
 */
import * as hdr from 'hdr-histogram-js';
import { encodeHistogram, HIGHEST_US, type Histogram } from '../../samples/histogram.ts';
import type { Counts } from '../../schema/run.ts';

/**
 * A send that leaves more than this after max(intended time, connection free) counts as `late`.
 * 1 ms: below it, a send is as punctual as Node's timers can be without spinning the whole wait.
 */
export const LATE_THRESHOLD_US = 1000;

/**
 * Recording histograms: the same range and precision as samples/histogram.ts, but plain Int32 buckets
 * instead of packed ones. Packed recording (getPackedIndex) was the largest per-request cost in the
 * profile; Int32 buckets cost ~128 KB per histogram, fine for the few live ones here. The encoding
 * (compressed V2) does not depend on the bucket type, so merges elsewhere stay exact.
 */
function recordingHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 32, useWebAssembly: false });
}

export class Recorder {
  readonly uncorrected: Histogram = recordingHistogram();
  readonly corrected: Histogram = recordingHistogram();
  readonly lateness: Histogram = recordingHistogram();
  /**
   * Corrected latencies per interval of completion time. Completion times only grow within a thread,
   * so only the current interval is live: earlier ones are already encoded (memory stays flat).
   */
  private readonly encodedIntervals: Array<[number, string]> = [];
  private currentIndex = -1;
  private current: Histogram | null = null;
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
    if (index !== this.currentIndex || !this.current) {
      this.closeInterval();
      this.current = recordingHistogram();
      this.currentIndex = index;
    }
    record(this.current, correctedUs);
  }

  error(kind: string): void {
    this.counts.errors++;
    this.counts.errorsByKind[kind] = (this.counts.errorsByKind[kind] ?? 0) + 1;
  }

  timeout(): void {
    this.counts.timeouts++;
  }

  /** [interval index, encoded histogram] of every interval with completions, in order. */
  encodeIntervals(): Array<[number, string]> {
    this.closeInterval();
    return this.encodedIntervals;
  }

  private closeInterval(): void {
    if (this.current && this.current.totalCount > 0) this.encodedIntervals.push([this.currentIndex, encodeHistogram(this.current)]);
    this.current = null;
  }
}

function record(h: Histogram, valueUs: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(valueUs))));
}
