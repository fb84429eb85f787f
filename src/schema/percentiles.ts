/**
 * The latency percentiles httpbench names (run.json's latencyCaveats, the claims, the thresholds, the
 * generator-stall rule) and the share of responses above each: one table, so "the p99 tail is 1 %"
 * is written once.
 */
import { z } from 'zod';

export const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;
export type Percentile = (typeof PERCENTILES)[number];
export const PercentileSchema = z.enum(PERCENTILES);

/** Fraction of responses above each percentile (its tail): 1 − p/100, written exactly. */
export const TAIL_FRACTION: Readonly<Record<Percentile, number>> = { p50: 0.5, p90: 0.1, p95: 0.05, p99: 0.01, p999: 0.001 };
