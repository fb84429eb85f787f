/** Shared, pure formatting of comparison figures for the renderers (units made explicit). */
import type { ChangeVerdict, ComparisonMethod, MetricComparison, MetricUnit } from './types.ts';
import { formatMB, formatNumber, formatPercent } from '../util/format.ts';

/**
 * A value in its unit, scaled for reading: 1.80 ms, 350 µs, 90.0 MB (10^6 bytes), 2,400 rps. Numbers
 * through the one fixed-locale formatter (src/util/format.ts), so thousands are grouped as in reports.
 */
export function formatValue(value: number | null, unit: MetricUnit): string {
  if (value === null) return '—';
  switch (unit) {
    case 'rps':
    case 'ms':
      return `${value >= 100 ? formatNumber(Math.round(value)) : formatNumber(value, 1)} ${unit}`;
    case 'us':
      return value >= 1000 ? `${formatNumber(value / 1000, 2)} ms` : `${formatNumber(Math.round(value))} µs`;
    case 'bytes':
      return value >= 1e6 ? `${formatMB(value)} MB` : value >= 1e3 ? `${formatNumber(value / 1e3, 1)} kB` : `${value} B`;
    case 'fraction':
      return formatPercent(value, 1);
  }
}

export function formatChange(changePercent: number | null): string {
  if (changePercent === null) return '—';
  return `${changePercent >= 0 ? '+' : ''}${changePercent.toFixed(1)} %`;
}

/** The threshold with the direction that would count as worse: "-5 %" for throughput, "+15 %" for p99. */
export function formatThreshold(m: MetricComparison): string {
  // Failures are judged against the scenario's error budget, saturation against the baseline holding the rate.
  if (m.id.endsWith('/failureRate') || m.id.endsWith('/non2xxRate')) return `budget ${m.thresholdPercent} %`;
  if (m.id.endsWith('/saturated')) return '—';
  return `${m.direction === 'higher-is-better' ? '-' : '+'}${m.thresholdPercent} %`;
}

/** The noise the repetitions show (larger side's spread), e.g. "12.3 %". */
export function formatNoise(noisePercent: number | null): string {
  return noisePercent === null ? '—' : `${noisePercent.toFixed(1)} %`;
}

export function formatPValue(p: number | null): string {
  if (p === null) return '—';
  if (p < 0.0001) return '<0.0001';
  return p.toFixed(4);
}

export const METHOD_LABELS: Record<ComparisonMethod, string> = {
  'mann-whitney': 'U test',
  'threshold-low-confidence': 'threshold + ranges (low confidence)',
  'threshold-only': 'threshold + ranges (no repetitions)',
  'failure-gate': 'error budget / saturation',
  'not-comparable': 'not comparable',
};

export const VERDICT_LABELS: Record<ChangeVerdict, string> = {
  regressed: '✗ regressed',
  improved: '✓ improved',
  unchanged: '= unchanged',
  'too-noisy': '~ too noisy',
};

/** "5 vs 5" runs behind a metric. */
export function formatRuns(m: MetricComparison): string {
  return `${m.baseline.values.length} vs ${m.candidate.values.length}`;
}

/** One line describing the method legend, printed under every table. */
export const METHOD_LEGEND =
  'Every verdict other than unchanged needs the median change beyond the threshold AND beyond the spread (the larger side\'s (max − min) / median over repetitions). ' +
  'U test = Mann–Whitney U (two-sided; exact for ≤ 50 runs per side), p < α; ' +
  'threshold + ranges = too few repetitions for the U test (< 4 runs per side can never reach p < 0.05): the two sides\' ranges must not overlap; ' +
  'too noisy = spread above the threshold, change not beyond it (never a regression); ' +
  'not comparable = generator-bound or not measured on one side (never a regression).';

/** The cells every comparison table shows for a metric, from baseline to method. */
export function metricCells(m: MetricComparison): string[] {
  return [
    formatValue(m.baseline.median, m.unit),
    formatValue(m.candidate.median, m.unit),
    formatChange(m.changePercent),
    formatThreshold(m),
    formatNoise(m.noisePercent),
    formatPValue(m.pValue),
    formatRuns(m),
    METHOD_LABELS[m.method],
  ];
}
