/**
 * Comparison → Bencher Metric Format JSON (https://bencher.dev/docs/reference/bencher-metric-format):
 * `{ "<benchmark>": { "<measure slug>": { value, lower_value?, upper_value? } } }`, from the
 * candidate run. value = median over repetitions; lower/upper = min/max over repetitions (only with
 * ≥ 2 runs). Pure.
 *
 * Benchmarks are `<scenario>/<target>/<configuration>/<what>`. Measures and units:
 * - `throughput` (Bencher built-in, operations/s): max throughput and achieved rate, requests/s;
 * - `latency` (Bencher built-in, nanoseconds): step percentiles, converted from µs;
 * - `file-size` (Bencher built-in, bytes): image size;
 * - `memory-peak` (custom, bytes) and `cold-start` (custom, milliseconds).
 * Generator-bound steps are left out: they measure the load generator, not the target.
 */
import type { Comparison, MetricComparison } from './compare.ts';

export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}
export type BmfDocument = Record<string, Record<string, BmfMetric>>;

/** Measure slug and the factor from the metric's unit to the measure's unit. */
function measureOf(m: MetricComparison): { slug: string; factor: number } {
  switch (m.family) {
    case 'throughput':
    case 'achievedRps':
      return { slug: 'throughput', factor: 1 };
    case 'p50':
    case 'p95':
    case 'p99':
      return { slug: 'latency', factor: 1000 }; // µs → ns
    case 'memory':
      return { slug: 'memory-peak', factor: 1 };
    case 'coldStart':
      return { slug: 'cold-start', factor: 1 };
    case 'imageSize':
      return { slug: 'file-size', factor: 1 };
  }
}

/** Benchmark name suffix: "max", "rate-200rps", "rate-200rps/p99", or the group itself for run-level metrics. */
function benchmarkSuffix(m: MetricComparison): string {
  switch (m.family) {
    case 'throughput':
      return '/max';
    case 'achievedRps':
      return `/rate-${m.offeredRps}rps`;
    case 'p50':
    case 'p95':
    case 'p99':
      return `/rate-${m.offeredRps}rps/${m.family}`;
    default:
      return '';
  }
}

export function renderCompareBmf(c: Comparison): BmfDocument {
  const out: BmfDocument = {};
  for (const g of c.groups) {
    for (const m of g.metrics) {
      const values = m.candidate.values;
      if (values.length === 0 || m.candidate.median === null) continue;
      if (m.method === 'not-comparable' && m.notes.some((n) => n.startsWith('generator-bound'))) continue;
      const { slug, factor } = measureOf(m);
      const name = `${c.candidate.scenario}/${g.target}/${g.configuration}${benchmarkSuffix(m)}`;
      const metric: BmfMetric = { value: m.candidate.median * factor };
      if (values.length >= 2) {
        metric.lower_value = m.candidate.min! * factor;
        metric.upper_value = m.candidate.max! * factor;
      }
      (out[name] ??= {})[slug] = metric;
    }
  }
  return out;
}
