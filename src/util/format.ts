/**
 * The one set of number formatters (reports, claims, thresholds, compare, progress lines): a fixed
 * locale — thousands separated by ",", "." for decimals, whatever the machine's locale — so the same
 * run renders byte-identically everywhere (toLocaleString does not). Low in the layers so every
 * layer may use it.
 */

/** Fixed decimals with thousands separators: formatNumber(12345.678, 1) → "12,345.7". */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : 'NaN';
  const fixed = Math.abs(value).toFixed(decimals);
  const [int, frac] = fixed.split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = value < 0 && Number(fixed) !== 0;
  return `${negative ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/*
 * Milliseconds: the only place they are formatted. Latencies (recorded in µs) keep µs resolution;
 * durations of a whole process (cold start, a database's start-up) are whole milliseconds.
 */

/** A latency in ms: 3 decimals below 10 ms (µs resolution), 2 above; or exactly `decimals`. */
export function formatMs(ms: number, decimals: number = Math.abs(ms) < 10 ? 3 : 2): string {
  return formatNumber(ms, decimals);
}

/** A latency recorded in µs, printed in ms: formatMs's rule (or exactly `decimals`). */
export function formatMsFromUs(us: number, decimals?: number): string {
  return formatMs(us / 1000, decimals);
}

/** A duration in whole milliseconds: cold starts, start-up and seeding times. */
export function formatWholeMs(ms: number): string {
  return formatNumber(ms, 0);
}

/** A duration in seconds, one decimal: builds and steps. */
export function formatSeconds(s: number): string {
  return formatNumber(s, 1);
}

/** Requests per second: whole numbers below 100 k… and always integers (the measurement is not finer). */
export function formatRps(rps: number): string {
  return formatNumber(rps, rps < 10 ? 1 : 0);
}

/** Bytes as MiB (2^20), one decimal: memory, as the kernel and docker stats count it. */
export function formatMiB(bytes: number): string {
  return formatNumber(bytes / 1048576, 1);
}

/** Bytes as GiB (2^30) with the unit, one decimal: a machine's memory. */
export function bytesGiB(bytes: number): string {
  return `${formatNumber(bytes / 1024 ** 3, 1)} GiB`;
}

/** Bytes as MB (10^6), one decimal: image sizes, as registries and the article count them. */
export function formatMB(bytes: number): string {
  return formatNumber(bytes / 1_000_000, 1);
}

export function formatPercent(fraction: number, decimals = 1): string {
  return `${formatNumber(fraction * 100, decimals)} %`;
}

/** A ratio like "7.85×": two decimals below 10, one above. */
export function formatRatio(ratio: number): string {
  return `${formatNumber(ratio, ratio < 10 ? 2 : 1)}×`;
}

/** Units a figure can carry in claims and thresholds. */
export type FigureUnit = 'req/s' | 'ms' | 'MB' | 'MiB' | 'ratio' | 'fraction';

/** A figure with its unit, as claims and thresholds print it (one rule for both). */
export function formatWithUnit(value: number, unit: FigureUnit): string {
  switch (unit) {
    case 'req/s':
      return `${formatRps(value)} req/s`;
    case 'ms':
      return `${formatMs(value)} ms`;
    case 'MB':
    case 'MiB':
      return `${formatNumber(value, 1)} ${unit}`;
    case 'ratio':
      return formatRatio(value);
    case 'fraction':
      // Tiny error rates keep their digits: 0.05 % must not print as "0.1 %" or "0.0 %".
      return formatPercent(value, value !== 0 && value < 0.001 ? 3 : 1);
  }
}
