/**
 * The engine interface: `runStep(spec) → EngineStep`. Engines never print and never import analysis
 * or report code; the run orchestrator adds target-side figures (resources, saturation) afterwards.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { PercentilesUs, Step } from '../schema/run.ts';

export type IdsSpec = Scenario['load']['ids'];

export interface StepSpec {
  /** e.g. http://127.0.0.1:40123 — no trailing slash. */
  baseUrl: string;
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
}

/** A Step without the target-side and classification fields (latency may be absent: null). */
export type MeasuredStep = Omit<Step, 'kind' | 'resources' | 'cpuPercent' | 'saturated' | 'saturationReasons'>;

/**
 * What an engine measures. Engines always give percentiles (count 0 when nothing completed); the run
 * stores an empty histogram's as absent (null, see latencyOrAbsent) so zeros never pass as latency.
 */
export type EngineStep = Omit<MeasuredStep, 'latencyUs'> & { latencyUs: { uncorrected: PercentilesUs; corrected: PercentilesUs | null } };

export interface LoadEngine {
  readonly name: Step['engine'];
  runStep(spec: StepSpec, signal?: AbortSignal): Promise<EngineStep>;
}
