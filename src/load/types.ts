/**
 * The engine interface: `runStep(spec) → EngineStep`. Engines never print and never import analysis
 * or report code; the run orchestrator adds target-side figures (resources, saturation) afterwards.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { PercentilesUs, Step } from '../schema/run.ts';
import type { CeilingFigure } from './generator-bound.ts';

export type IdsSpec = Scenario['load']['ids'];

export interface StepSpec {
  /** e.g. http://127.0.0.1:40123 — no trailing slash. */
  baseUrl: string;
  /**
   * IP address to connect to instead of resolving baseUrl's host again: the address the URL guard
   * checked (so a second lookup cannot send load elsewhere). The Host header stays baseUrl's host.
   */
  connectHost?: string;
  /** Path template; `{id}` is replaced by ids drawn from `ids`. */
  pathTemplate: string;
  ids: IdsSpec;
  /** Offered rate in requests/s; null runs closed loop (as fast as connections allow). */
  rateRps: number | null;
  durationS: number;
  connections: number;
  /** Worker threads of the generator (open-loop engine). */
  workers: number;
  timeoutMs: number;
  /** cpuset the generator process is pinned to, reported only (pinning is done by the caller). */
  generatorCpuset: string | null;
  /** Interval of the per-interval histogram log, ms. */
  intervalMs?: number;
  /** Open-loop engine: busy-poll (`spin`, default, precise) or sleep between events (`sleep`, low power). */
  pacing?: 'spin' | 'sleep';
  /** The load side's measured throughput ceiling (calibration), read by the generator-bound rules. */
  ceiling?: CeilingFigure | null;
}

/** A Step without the target-side and classification fields (latency may be absent: null). */
export type MeasuredStep = Omit<Step, 'kind' | 'resources' | 'cpuPercent' | 'saturated' | 'saturationReasons'>;

/**
 * What an engine measures. Engines always give percentiles (count 0 when nothing completed); the run
 * stores an empty histogram's as absent (null, see latencyOrAbsent) so zeros never pass as latency.
 */
export type EngineStep = Omit<MeasuredStep, 'latencyUs'> & { latencyUs: { uncorrected: PercentilesUs; corrected: PercentilesUs | null } };

/**
 * Live counters of a running step, for progress lines only (never for results). Cumulative since the
 * step's start; built on the coordinating (main) thread from counters the engine already keeps.
 */
export interface StepProgressSnapshot {
  /** Since the step's first send, ms. */
  elapsedMs: number;
  sent: number;
  completed: number;
  /** Failed requests so far: socket errors, timeouts and non-2xx responses together. */
  errors: number;
  /**
   * p99 of the recent responses, µs (e.g. the last 2048, src/samples/recent.ts — a percentile query
   * on a packed HDR histogram costs ~1.4 ms (bench/progress.ts), too much for a measuring thread): corrected latency where
   * the engine measures it, else uncorrected; with several worker threads the largest worker's value.
   * Null before the first completion.
   */
  p99Us: number | null;
}

/**
 * Optional live-progress hook. An engine that supports it calls `onProgress` from the coordinating
 * thread at most twice a second (never from a measuring thread, never per request); engines that do
 * not simply never call it. The caller renders; the callback must be cheap and must not throw.
 */
export interface StepObserver {
  onProgress?(snapshot: StepProgressSnapshot): void;
}

export interface LoadEngine {
  readonly name: Step['engine'];
  runStep(spec: StepSpec, signal?: AbortSignal, observer?: StepObserver): Promise<EngineStep>;
}
