/**
 * Comparison → Bencher Metric Format JSON (https://bencher.dev/docs/reference/bencher-metric-format):
 * `{ "<benchmark>": { "<measure slug>": { value, lower_value?, upper_value? } } }`, from the
 * candidate run. value = median over repetitions; lower/upper = min/max over repetitions (only with
 * ≥ 2 runs). Pure.
 *
 * Benchmarks are `<scenario>/<target>/<configuration>/<what>`. Measures and units:
 * - `throughput` (Bencher built-in, operations/s): max throughput (`/max`), sustainable rate
 *   (`/sustainable`) and achieved rate, requests/s;
 * - `throughput-2xx` (custom, requests/s) and `failure-rate` (custom, fraction of the intended
 *   requests) per step;
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

/**
 * Benchmark name suffix, measure slug and the factor from the metric's unit to the measure's unit, by
 * the metric's id (analysis/metrics.ts); null for rows BMF has no measure for (saturation, a yes/no).
 */
function measureOf(m: MetricComparison): { suffix: string; slug: string; factor: number } | null {
  const step = m.offeredRps === null ? '' : `/rate-${m.offeredRps}rps`;
  const id = m.id.slice(m.id.indexOf('/') + 1);
  switch (id) {
    case 'maxThroughputRps':
      return { suffix: '/max', slug: 'throughput', factor: 1 };
    case 'sustainableRps':
      return { suffix: '/sustainable', slug: 'throughput', factor: 1 };
    case 'achievedRps':
      return { suffix: step, slug: 'throughput', factor: 1 };
    case 'served2xxRps':
      return { suffix: step, slug: 'throughput-2xx', factor: 1 };
    case 'failureRate':
      return { suffix: step, slug: 'failure-rate', factor: 1 };
    case 'p50Us':
    case 'p95Us':
    case 'p99Us':
      return { suffix: `${step}/${m.family}`, slug: 'latency', factor: 1000 }; // µs → ns
    case 'memoryPeakBytes':
      return { suffix: '', slug: 'memory-peak', factor: 1 };
    case 'coldStartMs':
      return { suffix: '', slug: 'cold-start', factor: 1 };
    case 'imageSizeBytes':
      return { suffix: '', slug: 'file-size', factor: 1 };
    default:
      return null;
  }
}

export function renderCompareBmf(c: Comparison): BmfDocument {
  const out: BmfDocument = {};
  for (const g of c.groups) {
    for (const m of g.metrics) {
      const values = m.candidate.values;
      if (values.length === 0 || m.candidate.median === null) continue;
      if (m.notes.some((n) => n.startsWith('generator-bound'))) continue;
      const measure = measureOf(m);
      if (measure === null) continue;
      const { suffix, slug, factor } = measure;
      const name = `${c.candidate.scenario}/${g.target}/${g.configuration}${suffix}`;
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
