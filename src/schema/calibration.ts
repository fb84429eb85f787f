/** run.json's calibration section: the instrument's floor and the load side's ceiling; re-exported by run.ts. */
import { z } from 'zod';
import { ENGINE_NAMES } from '../scenario/schema.ts';
import { PercentilesUsSchema } from '../samples/percentiles.ts';
import { ContentionSchema } from './contention.ts';

/**
 * The instrument's own floor: the same engine, schedule and CPU split driving the calibration server
 * (bench/server: the smallest Go HTTP server, pinned to the targets' CPUs) at each offered rate.
 * A target's latency can't be told apart from it when it is within a few times this floor.
 */
export const CeilingSchema = z.strictObject({
  /** Closed-loop throughput against the calibration server, requests/s. */
  achievedRps: z.number().nonnegative(),
  engine: z.enum(ENGINE_NAMES),
  connections: z.number().int().positive(),
  /** Generator threads that measured it. */
  workers: z.number().int().positive(),
  durationS: z.number().positive(),
  /**
   * What limited it: `generator` when its threads' work CPU reached the busy limit (then the ceiling
   * is the generator's), `calibration server` when the server's CPUs did (the generator's own limit
   * is then higher), `unknown` when neither did (connections or the network).
   */
  limitedBy: z.enum(['generator', 'calibration server', 'unknown']),
  /** Work CPU of the generator's threads, percent of one core (summed over threads). */
  generatorWorkCpuPercent: z.number().nonnegative(),
  /** CPU of the calibration server's container, percent of one core; null when not sampled. */
  serverCpuPercent: z.number().nonnegative().nullable(),
  /** A figure at or above (1 − marginFraction) × achievedRps is marked as the load side's ("≥"). */
  marginFraction: z.number().min(0).max(1),
  /** Other processes' and the hypervisor's use of the CPUs while it was measured; absent in older runs or off Linux. */
  contention: ContentionSchema.optional(),
});
export type Ceiling = z.infer<typeof CeilingSchema>;

export const CalibrationSchema = z.strictObject({
  /** What was driven, e.g. "httpbench/calibration:latest (Go net/http, GOMAXPROCS=1)". */
  server: z.string(),
  /** CPUs the calibration server was pinned to (the targets' cpuset). */
  cpuset: z.string(),
  connections: z.number().int().positive(),
  workers: z.number().int().positive(),
  pacing: z.enum(['spin', 'sleep']),
  /** Seconds per rate. */
  durationS: z.number().positive(),
  steps: z.array(
    z.strictObject({
      offeredRps: z.number().positive(),
      achievedRps: z.number().nonnegative(),
      /** Corrected latency of the calibration server at this rate, µs. */
      latencyUs: PercentilesUsSchema,
      /** The generator limited this calibration step: its floor is not a floor. */
      generatorBound: z.boolean(),
      /** Other processes' use of the CPUs during this calibration step (see ContentionSchema); absent in older runs. */
      contention: ContentionSchema.optional(),
    }),
  ),
  /** Why calibration did not run or stopped early; null when it ran every rate. */
  error: z.string().nullable(),
  /**
   * The load side's throughput ceiling: the max step's engine, threads and connections in closed loop
   * against the calibration server. A target figure near it is the load side's ("≥"). Absent in
   * older runs and when not measured.
   */
  ceiling: CeilingSchema.nullable().optional(),
});
export type Calibration = z.infer<typeof CalibrationSchema>;
