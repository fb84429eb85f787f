/**
 * Where one share (one thread's connections) records what happened: HDR histograms in µs and counts.
 * Histograms, not arrays, so memory stays flat however many requests a step sends. Nothing here
 * encodes, compresses or allocates per request while the step runs: encoding happens once, after the
 * schedule ended (see `encode`), so the measuring thread never stalls on its own bookkeeping.
 */
import * as hdr from 'hdr-histogram-js';
import { encodeHistogram, HIGHEST_US, type Histogram } from '../../samples/histogram.ts';
import type { Counts } from '../../schema/run.ts';
import { RecentLatencies } from '../../samples/recent.ts';

/**
 * A send that leaves more than this after max(intended time, connection free) counts as `late`.
 * 1 ms: below it, a send is as punctual as Node's timers can be without spinning the whole wait.
 */
export const LATE_THRESHOLD_US = 1000;

/**
 * A response whose read may have been delayed by more than this by the generator itself (the time
 * since the measuring thread last polled its sockets) counts as read during a generator stall: its
 * completion time E, and so its latency, may be too late by up to that much. 250 µs is the order of
 * the Go target's own p95–p99 at 10,000 req/s (0.13 ms p95 in results/sample; the issue's
 * busy-polling reference read 0.21 ms p99): a stall that long is as large as the figure measured.
 */
export const STALL_THRESHOLD_US = 250;

/**
 * Recording histograms: the same range and precision as samples/histogram.ts, but plain Int32 buckets
 * instead of packed ones. Packed recording (getPackedIndex) was the largest per-request cost in the
 * profile; Int32 buckets cost ~70 KB per histogram, fine for the few live ones here. The encoding
 * (compressed V2) does not depend on the bucket type, so merges elsewhere stay exact.
 */
function recordingHistogram(significantDigits: 1 | 2 | 3 | 4 | 5 = 3): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: significantDigits, bitBucketSize: 32, useWebAssembly: false });
}

/**
 * Per-interval histograms (the p99-over-time chart) use 2 significant digits (±1 %): ~10 KB each
 * as Int32 buckets, so they can stay live, un-encoded, until the step ends — one per second of the
 * step, never compressed on the measuring thread mid-step.
 */
const INTERVAL_DIGITS = 2;

export interface EncodedRecorder {
  counts: Counts;
  histograms: { uncorrected: string; corrected: string; lateness: string; readDelay: string; loopTurn: string };
  /** [interval index, encoded corrected histogram] for intervals with completions, in order. */
  intervals: Array<[number, string]>;
  /** Completions whose read may have been delayed by a generator stall (see STALL_THRESHOLD_US). */
  stalledResponses: number;
}

export class Recorder {
  readonly uncorrected: Histogram = recordingHistogram();
  readonly corrected: Histogram = recordingHistogram();
  readonly lateness: Histogram = recordingHistogram();
  /** Per completion: how long before its read the thread last polled (spin pacing only), µs. */
  readonly readDelay: Histogram = recordingHistogram();
  /** Time between successive turns of the measuring thread's event loop (spin pacing only), µs. */
  readonly loopTurn: Histogram = recordingHistogram();
  private readonly intervals = new Map<number, Histogram>();
  private currentIndex = -1;
  private current: Histogram | null = null;
  stalledResponses = 0;
  /** The last 2,048 latencies (corrected in open loop), for the live "p99 so far" only. */
  readonly recent = new RecentLatencies();
  readonly counts: Counts = { sent: 0, completed: 0, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0, intended: 0, connectFailures: 0 };

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

  /**
   * A response completed at `endUs` for a request intended at `intendedUs`, written at `sentUs`.
   * `readDelayUs` is null when it cannot be known (sleep pacing); `stalled` marks a completion whose
   * time the generator may have delayed (read after a stall, or waiting on a connection whose
   * previous read was).
   */
  completed(status: number, intendedUs: number, sentUs: number, latenessUs: number, endUs: number, readDelayUs: number | null, stalled: boolean): void {
    this.counts.completed++;
    if (status < 200 || status > 299) this.counts.non2xx++;
    record(this.uncorrected, endUs - sentUs);
    if (readDelayUs !== null) record(this.readDelay, readDelayUs);
    if (stalled) this.stalledResponses++;
    if (!this.openLoop) {
      this.recent.record(endUs - sentUs);
      return;
    }
    // wrk2's corrected latency, minus the generator's own lateness: waits for a busy connection
    // (coordinated omission) stay in, the generator's sluggishness does not.
    const correctedUs = endUs - intendedUs - latenessUs;
    record(this.corrected, correctedUs);
    this.recent.record(correctedUs);
    const index = Math.max(0, Math.floor((endUs - this.startUs) / this.intervalUs));
    if (index !== this.currentIndex || !this.current) {
      this.currentIndex = index;
      this.current = this.intervals.get(index) ?? null;
      if (!this.current) {
        this.current = recordingHistogram(INTERVAL_DIGITS);
        this.intervals.set(index, this.current);
      }
    }
    record(this.current, correctedUs);
  }

  /** One turn of the measuring thread's loop took `gapUs` since the previous one (spin pacing). */
  loopTurned(gapUs: number): void {
    record(this.loopTurn, gapUs);
  }

  error(kind: string, requests = 1): void {
    if (requests <= 0) return;
    this.counts.errors += requests;
    this.counts.errorsByKind[kind] = (this.counts.errorsByKind[kind] ?? 0) + requests;
  }

  /** A connection attempt failed: not a request (requests it prevented are attributed at the end). */
  connectFailed(): void {
    this.counts.connectFailures = (this.counts.connectFailures ?? 0) + 1;
  }

  timeout(): void {
    this.counts.timeouts++;
  }

  /** Counters and the recent p99 for a progress line: a few reads and one quickselect over 2,048 values. */
  progress(): { sent: number; completed: number; errors: number; p99Us: number | null } {
    const c = this.counts;
    return { sent: c.sent, completed: c.completed, errors: c.errors + c.timeouts + c.non2xx, p99Us: this.recent.percentile(99) };
  }

  /** Encodes everything, once, after the step (the only compression work the thread does). */
  encode(): EncodedRecorder {
    const intervals: Array<[number, string]> = [...this.intervals.entries()]
      .filter(([, h]) => h.totalCount > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([i, h]) => [i, encodeHistogram(h)]);
    return {
      counts: this.counts,
      histograms: {
        uncorrected: encodeHistogram(this.uncorrected),
        corrected: encodeHistogram(this.corrected),
        lateness: encodeHistogram(this.lateness),
        readDelay: encodeHistogram(this.readDelay),
        loopTurn: encodeHistogram(this.loopTurn),
      },
      intervals,
      stalledResponses: this.stalledResponses,
    };
  }
}

function record(h: Histogram, valueUs: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(valueUs))));
}
