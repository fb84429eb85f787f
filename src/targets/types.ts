/**
 * The target lifecycle behind one interface, so a Docker target, a `url:` target (a service the user
 * already runs) or a future remote host plug into the same run: start → RunningTarget → stop.
 */
import type { Configuration, TargetSpec } from '../scenario/schema.ts';
import { TargetError } from '../errors.ts';
import type { Resource, TargetResult } from '../schema/run.ts';

/** Label put on every container the harness creates; `httpbench clean` removes by it. */
export const HARNESS_LABEL = 'io.httpbench.managed';
export const RUN_LABEL = 'io.httpbench.run';
/** The owning process (host, pid, pid start time): `clean` leaves containers of live runs alone. */
export const HOST_LABEL = 'io.httpbench.host';
export const PID_LABEL = 'io.httpbench.pid';
export const PID_START_LABEL = 'io.httpbench.pid-start';

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
  /** The container no longer exists (removed by someone else: `docker rm`, `clean --force`). */
  removed?: boolean;
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

/** A container that vanished while the run used it (TargetState.removed): not a crash of the target. */
export function removedFromOutside(label: string, during: string): TargetError {
  return new TargetError(`${label}: the container was removed from outside httpbench during ${during} (docker rm, or 'httpbench clean --force')`, {
    hint: "nothing is known to be wrong with the target; do not remove a run's containers while it is going",
  });
}
