/**
 * The one managed container: what every container the harness starts shares — targets, the
 * calibration server, PostgreSQL, its seed and a target host's probe. Host networking (no NAT on the
 * measured path), a read-only root, no capabilities, no new privileges, memory without swap, labels
 * that `clean`, SIGINT and crash handling find it by; removed when its start fails; sampled,
 * inspected, its logs read; stopped gracefully and always removed, once.
 */
import type Docker from 'dockerode';
import { describeError, InfrastructureError, TargetError } from '../../errors.ts';
import { currentOwner, type Owner } from '../../util/owner.ts';
import { dockerStatus } from '../engine/client.ts';
import { demuxDockerLogs } from '../logs.ts';
import { ResourceAccumulator } from '../stats.ts';
import { HARNESS_LABEL, HOST_LABEL, PID_LABEL, PID_START_LABEL, RUN_LABEL, type ResourceSampler, type TargetState } from '../types.ts';

/** The container's role: a target's name, "database", "seed". */
export const TARGET_LABEL = 'io.httpbench.target';
/** Used when an image runs as root by default: the harness never runs a target as root. */
export const FALLBACK_USER = '65534:65534';
/** `docker stop -t`: the targets shut down gracefully well inside this. */
export const STOP_TIMEOUT_S = 2;
/** A small /tmp for programs that need one on a read-only root. */
export const TMP_TMPFS: Readonly<Record<string, string>> = { '/tmp': 'rw,noexec,nosuid,size=16m' };

/** The hardening every harness container gets; limits only where given. */
export function hardenedHostConfig(limits: {
  cpuset?: string;
  nanoCpus?: number;
  memoryBytes?: number;
  pids?: number;
  tmpfs?: Readonly<Record<string, string>>;
}): Docker.HostConfig {
  return {
    // Host networking: no NAT/bridge on the measured path; servers bind to the address they are given.
    NetworkMode: 'host',
    ...(limits.cpuset !== undefined ? { CpusetCpus: limits.cpuset } : {}),
    ...(limits.nanoCpus !== undefined ? { NanoCpus: limits.nanoCpus } : {}),
    // Swap equal to Memory: no swap, so a memory-hungry container is OOM-killed rather than slowed.
    ...(limits.memoryBytes !== undefined ? { Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes } : {}),
    ...(limits.pids !== undefined ? { PidsLimit: limits.pids } : {}),
    ReadonlyRootfs: true,
    ...(limits.tmpfs ? { Tmpfs: { ...limits.tmpfs } } : {}),
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
  };
}

/** The labels of a container of run `runId` in `role`; `owned` adds this process as its owner. */
export function harnessLabels(runId: string, role: string, owned = false): Record<string, string> {
  return { [HARNESS_LABEL]: '1', [RUN_LABEL]: runId, [TARGET_LABEL]: role, ...(owned ? ownerLabels(currentOwner()) : {}) };
}

export function ownerLabels(owner: Owner): Record<string, string> {
  return { [HOST_LABEL]: owner.host, [PID_LABEL]: String(owner.pid), ...(owner.pidStart !== null ? { [PID_START_LABEL]: owner.pidStart } : {}) };
}

/** Runs `start` on a created container; on any failure the container is removed and the error rethrown. */
export async function startOrRemove<T>(container: Docker.Container, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await removeQuietly(container);
    throw error;
  }
}

/** A started container the run owns: sampled, inspected, its logs read, stopped and removed once. */
export class ManagedContainer {
  private stopping: Promise<void> | null = null;

  constructor(
    protected readonly container: Docker.Container,
    /** Names it in a failed removal ("container", "the database container"). */
    private readonly what: string,
    private readonly defaultLogLines: number,
  ) {}

  sampleResources(): ResourceSampler {
    return startSampler(this.container);
  }

  state(): Promise<TargetState> {
    return containerState(this.container);
  }

  logsTail(lines = this.defaultLogLines): Promise<string> {
    return logsTail(this.container, lines);
  }

  stop(): Promise<void> {
    this.stopping ??= stopAndRemove(this.container, this.what);
    return this.stopping;
  }
}

export function isRoot(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === '0' || name === 'root';
}

export async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    // Already gone (404) or removal already in progress (409): the goal is reached.
    const status = dockerStatus(error);
    if (status !== 404 && status !== 409) throw error;
  }
}

export async function logsTail(container: Docker.Container, lines: number): Promise<string> {
  try {
    const buffer = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    return demuxDockerLogs(buffer).trimEnd();
  } catch (error) {
    if (dockerStatus(error) === 404) return '';
    return `(logs unavailable: ${describeError(error)})`;
  }
}

/** Docker's view of a container; a 404 means it was removed behind the run's back. */
export async function containerState(container: Pick<Docker.Container, 'inspect'>): Promise<TargetState> {
  try {
    const info = await container.inspect();
    return {
      running: info.State.Running,
      exitCode: info.State.Running ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
    };
  } catch (error) {
    if (dockerStatus(error) === 404) return { running: false, exitCode: null, oomKilled: false, removed: true };
    throw error;
  }
}

/** Streams `docker stats` until stop(); figures cover the sampled window only. */
export function startSampler(container: Docker.Container): ResourceSampler {
  const acc = new ResourceAccumulator();
  let stream: (NodeJS.ReadableStream & { destroy?: () => void }) | null = null;
  let stopped = false;
  let streamError: unknown = null;
  const opened = container
    .stats({ stream: true })
    .then((s) => {
      stream = s as typeof stream;
      if (stopped) {
        stream?.destroy?.();
        return;
      }
      let pending = '';
      s.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line !== '') acc.add(JSON.parse(line) as Docker.ContainerStats);
        }
      });
      s.on('error', (error: unknown) => {
        streamError = error;
      });
    })
    .catch((error: unknown) => {
      streamError = error;
    });
  return {
    async stop() {
      stopped = true;
      await opened;
      stream?.destroy?.();
      // A container that died mid-step ends the stream; what was sampled before still counts.
      if (streamError !== null && acc.samples === 0 && dockerStatus(streamError) !== 404) {
        throw new TargetError(`resource sampling failed: ${describeError(streamError)}`, { cause: streamError });
      }
      return acc.result();
    },
  };
}

/**
 * Stops a harness container gracefully and removes it, whatever the stop did: never leaves one behind.
 * `what` names it in the error ("container", "the database container").
 */
export async function stopAndRemove(container: Docker.Container, what: string): Promise<void> {
  let stopError: unknown = null;
  try {
    await container.stop({ t: STOP_TIMEOUT_S });
  } catch (error) {
    // 304 = already stopped, 404 = already removed (killed by a fault): the state we want.
    const status = dockerStatus(error);
    if (status !== 304 && status !== 404) stopError = error;
  }
  // Removal is attempted even when the graceful stop failed.
  try {
    await removeQuietly(container);
  } catch (error) {
    throw new InfrastructureError(`could not remove ${what} ${container.id.slice(0, 12)}: ${describeError(error)}`, {
      cause: stopError ?? error,
      hint: "the Docker engine may have stopped; once it is back, run 'httpbench clean'",
    });
  }
}
