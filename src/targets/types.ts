/**
 * The target lifecycle behind one interface, so a Docker target, a `url:` target (a service the user
 * already runs) or a future remote host plug into the same run: start → RunningTarget → stop.
 */
import type { Configuration, TargetSpec } from '../scenario/schema.ts';
import type { Resource, TargetResult } from '../schema/run.ts';

/** Label put on every container the harness creates; `httpbench clean` removes by it. */
export const HARNESS_LABEL = 'io.httpbench.managed';
export const RUN_LABEL = 'io.httpbench.run';

export interface StartOptions {
  spec: TargetSpec;
  configuration: Configuration;
  /** CPUs the target may use (env values `${cpus}` are replaced by this). */
  cpus: number;
  /** cpuset string for the container, e.g. "1". */
  cpuset: string;
  memoryMiB: number;
  pids: number;
  startupTimeoutS: number;
  /** Run id, stored as a label so leftovers of a killed run can be found. */
  runId: string;
  signal?: AbortSignal;
}

export interface ResourceSampler {
  /** Stops sampling and returns the figures over the sampled window (null if no sample arrived). */
  stop(): Promise<Resource | null>;
}

export interface TargetState {
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
}

export interface RunningTarget {
  /** http://127.0.0.1:PORT — always loopback for Docker targets. */
  baseUrl: string;
  /** IP address to connect to for baseUrl (url: targets: the address the URL guard checked). */
  connectHost?: string;
  image: TargetResult['image'];
  coldStartMs: number | null;
  limits: TargetResult['limits'];
  /** Memory right after start-up, before any load, bytes (null when not measurable). */
  idleMemoryBytes: number | null;
  /** Starts sampling container CPU and memory (Docker stats API); null sampler for url: targets. */
  sampleResources(): ResourceSampler | null;
  /** Whether the container is still up, and how it died if not (exit code, OOM). */
  state(): Promise<TargetState>;
  /** Last lines of the target's logs, for error messages. */
  logsTail(lines?: number): Promise<string>;
  /** Stops and removes the container. Idempotent; never throws for an already-removed container. */
  stop(): Promise<void>;
}
