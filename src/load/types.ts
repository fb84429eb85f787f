/**
 * The engine interface: `runStep(spec) → EngineStep`. Engines never print and never import analysis
 * or report code; the run orchestrator adds target-side figures (resources, saturation) afterwards.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Step } from '../schema/run.ts';

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
}

/** What an engine measures: a Step without the target-side and classification fields. */
export type EngineStep = Omit<Step, 'kind' | 'resources' | 'cpuPercent' | 'saturated' | 'saturationReasons'>;

export interface LoadEngine {
  readonly name: Step['engine'];
  runStep(spec: StepSpec, signal?: AbortSignal): Promise<EngineStep>;
}
