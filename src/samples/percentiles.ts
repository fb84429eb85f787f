/**
 * The percentiles one HDR histogram yields, in microseconds: written by samples/histogram.ts and
 * stored in run.json (schema/run.ts re-exports this), so the shape lives with the histograms.
 */
import { z } from 'zod';

/** Percentiles of one HDR histogram, all in microseconds. */
export const PercentilesUsSchema = z.strictObject({
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p95: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  p999: z.number().nonnegative(),
  max: z.number().nonnegative(),
  /** Mean in microseconds. */
  mean: z.number().nonnegative(),
  /** Number of recorded values. */
  count: z.number().int().nonnegative(),
});
export type PercentilesUs = z.infer<typeof PercentilesUsSchema>;
