/**
 * HDR histogram helpers. All latency values are recorded in integer microseconds with 3 significant
 * digits (HdrHistogram's usual precision: ±0.1 %), from 1 µs to 60 s.
 */
import * as hdr from 'hdr-histogram-js';
import type { PercentilesUs } from './percentiles.ts';

export type Histogram = hdr.Histogram;

/** Highest trackable value: 60 s in µs. Longer values are clamped (and then a timeout anyway). */
export const HIGHEST_US = 60_000_000;

export function createHistogram(): Histogram {
  // Pure-JS packed histograms: no WebAssembly init, safe inside worker threads, exact merges.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 'packed', useWebAssembly: false });
}

/** Records a latency in µs, rounding to the nearest µs and clamping into the trackable range. */
export function recordUs(histogram: Histogram, valueUs: number): void {
  const v = Math.min(HIGHEST_US, Math.max(1, Math.round(valueUs)));
  histogram.recordValue(v);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 'packed', false);
}

/** Merges encoded histograms exactly (bucket counts add up). */
export function mergeEncoded(encoded: string[]): Histogram {
  const total = createHistogram();
  for (const e of encoded) total.add(decodeHistogram(e));
  return total;
}

export function percentilesUs(histogram: Histogram): PercentilesUs {
  const count = histogram.totalCount;
  if (count === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
  return {
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p95: histogram.getValueAtPercentile(95),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    mean: Math.round(histogram.mean * 1000) / 1000,
    count,
  };
}

/** One interval of an HdrHistogram log: seconds from the log's first interval, and its histogram. */
export interface IntervalHistogram {
  startS: number;
  endS: number;
  histogram: Histogram;
}

/**
 * Writes intervals as an HdrHistogram log (format 1.3, values in µs, Interval_Max column in ms) —
 * readable by HdrHistogram's own tools (HistogramLogAnalyzer) and by decodeIntervalLog.
 */
export function encodeIntervalLog(intervals: ReadonlyArray<{ startS: number; endS: number; histogram: Histogram }>, startEpochMs: number, comment: string): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((s) => (text += s));
  writer.outputLogFormatVersion();
  writer.outputComment(`[${comment}]`);
  writer.outputStartTime(startEpochMs);
  writer.outputLegend();
  for (const iv of intervals) writer.outputIntervalHistogram(iv.histogram, iv.startS, iv.endS, 1000);
  return text;
}

/** Decodes a per-interval HdrHistogram log (as the open-loop engine writes it) in order. */
export function decodeIntervalLog(log: string): IntervalHistogram[] {
  const reader = new hdr.HistogramLogReader(log, 'packed', false);
  const out: IntervalHistogram[] = [];
  let first: number | null = null;
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    first ??= h.startTimeStampMsec;
    out.push({ startS: (h.startTimeStampMsec - first) / 1000, endS: (h.endTimeStampMsec - first) / 1000, histogram: h });
  }
  return out;
}
