/**
 * Docker targets: start a hardened, resource-limited managed container (container/managed.ts) on a
 * loopback port, measure its cold start; list and clean what runs left behind. Build and connection
 * live in their own folders and are re-exported here so callers import one module.
 */
import type Docker from 'dockerode';
import { ConfigError, TargetError } from '../errors.ts';
import { substituteCpus } from '../scenario/resolve.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import { dockerStatus, type DockerClient } from './engine/client.ts';
import { imageInfo } from './image/build.ts';
import { freeLoopbackPort, waitForFirst200 } from './net.ts';
import { freeRemotePort } from './target-host.ts';
import { memoryWithoutCacheBytes } from './stats.ts';
import { ownerAlive, type Owner } from '../util/owner.ts';
import { removedFromOutside, HARNESS_LABEL, HOST_LABEL, PID_LABEL, PID_START_LABEL, RUN_LABEL, type RunningTarget, type StartOptions } from './types.ts';
import {
  containerState,
  FALLBACK_USER,
  hardenedHostConfig,
  harnessLabels,
  isRoot,
  ManagedContainer,
  removeQuietly,
  startOrRemove,
  STOP_TIMEOUT_S,
  TARGET_LABEL,
  TMP_TMPFS,
} from './container/managed.ts';

export { connectDocker, type DockerClient } from './engine/client.ts';
export { buildImage, chooseBaseImages, defaultTag, imageInfo } from './image/build.ts';
export type { BaseImageChoice, BuildOptions, BuildResult, ImageInfo } from './image/build.ts';
export { startUrlTarget } from './url-target.ts';

/** The harness owns these; a configuration may not set them. */
const RESERVED_ENV = new Set(['HOST', 'PORT']);

/** The container's KEY=value list; `${cpus}` is expanded by the scenario's one rule (the plan has done so for targets already). */
export function expandEnv(env: Record<string, string>, cpus: number): string[] {
  return Object.entries(substituteCpus(env, cpus)).map(([key, value]) => `${key}=${value}`);
}

export interface DockerStartOptions extends StartOptions {
  /** Image tag or id to run (the built image). */
  image: string;
  /** Two-host runs: the target host's address to bind to (default 127.0.0.1, this machine). */
  bindAddress?: string;
}

export async function startDockerTarget(docker: DockerClient, opts: DockerStartOptions): Promise<RunningTarget> {
  const spec = opts.spec as DockerTargetSpec;
  const reserved = Object.keys(opts.configuration.env).filter((key) => RESERVED_ENV.has(key));
  if (reserved.length > 0) {
    throw new ConfigError(`configuration ${opts.configuration.id} of ${spec.name} sets ${reserved.join(', ')}`, {
      hint: 'remove them: the harness binds every target to 127.0.0.1 on a free port',
    });
  }
  const image = await imageInfo(docker, opts.image);
  if (!image) {
    throw new TargetError(`image ${opts.image} for target ${spec.name} does not exist`, {
      hint: 'build it first: npx httpbench build',
    });
  }
  const user = isRoot(image.user) ? FALLBACK_USER : image.user;
  const memoryBytes = opts.memoryMiB * 1024 * 1024;
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const port = opts.bindAddress ? await freeRemotePort(opts.bindAddress) : await freeLoopbackPort();
  const baseUrl = `http://${bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress}:${port}`;

  const container = await docker.createContainer({
    Image: opts.image,
    name: `httpbench-${spec.name}-${opts.configuration.id}-${opts.runId}-${port}`,
    User: user,
    // Only the configuration's env and the bind address: host variables never leak in.
    Env: [...expandEnv(opts.configuration.env, opts.cpus), `HOST=${bindAddress}`, `PORT=${port}`],
    Labels: harnessLabels(opts.runId, spec.name, true),
    StopTimeout: STOP_TIMEOUT_S,
    // The port is on the bind address only (loopback unless a target host's).
    HostConfig: hardenedHostConfig({ cpuset: opts.cpuset, nanoCpus: Math.round(opts.cpus * 1e9), memoryBytes, pids: opts.pids, tmpfs: TMP_TMPFS }),
  });

  const target = new DockerRunningTarget(container, baseUrl, { id: image.id, sizeBytes: image.sizeBytes }, {
    cpuset: opts.cpuset,
    memoryBytes,
    pids: opts.pids,
    readOnlyRootfs: true,
    user,
  });
  return startOrRemove(container, async () => {
    // Cold start counts from the start API call: runtime setup + process boot + first answer,
    // the same overhead for every target.
    const started = performance.now();
    await container.start();
    const firstOk = await waitForFirst200(`${baseUrl}/users/1`, {
      timeoutMs: opts.startupTimeoutS * 1000,
      intervalMs: 5,
      requestTimeoutMs: 250,
      ...(opts.signal ? { signal: opts.signal } : {}),
      check: async () => {
        const state = await containerState(container);
        if (state.removed) throw removedFromOutside(spec.name, 'start-up');
        if (!state.running) {
          throw new TargetError(
            `${spec.name} exited during start-up (exit code ${state.exitCode ?? 'unknown'}${state.oomKilled ? ', OOM-killed' : ''})\n--- logs ---\n${await target.logsTail(30)}`,
            { hint: state.oomKilled ? 'raise resources.memoryMiB' : 'the logs above show why; a port race shows as "address already in use": retry' },
          );
        }
      },
    });
    if (firstOk === null) {
      throw new TargetError(
        `${spec.name} gave no 200 on /users/1 within ${opts.startupTimeoutS} s\n--- logs ---\n${await target.logsTail(30)}`,
        { hint: 'raise startupTimeoutS in the scenario, or check the logs above' },
      );
    }
    target.coldStartMs = firstOk - started;
    const stats = await container.stats({ stream: false, 'one-shot': true });
    target.idleMemoryBytes = memoryWithoutCacheBytes(stats);
    return target;
  });
}

class DockerRunningTarget extends ManagedContainer implements RunningTarget {
  coldStartMs: number | null = null;
  idleMemoryBytes: number | null = null;

  constructor(
    container: Docker.Container,
    readonly baseUrl: string,
    readonly image: RunningTarget['image'],
    readonly limits: RunningTarget['limits'],
  ) {
    super(container, 'container', 50);
  }
}

/** The owner recorded on a container; null for containers of versions without these labels. */
export function ownerFromLabels(labels: Record<string, string>): Owner | null {
  const pid = Number(labels[PID_LABEL]);
  const host = labels[HOST_LABEL];
  if (!host || !Number.isInteger(pid)) return null;
  return { host, pid, pidStart: labels[PID_START_LABEL] ?? null };
}

function labelFilter(runId?: string): string[] {
  return runId ? [`${HARNESS_LABEL}=1`, `${RUN_LABEL}=${runId}`] : [`${HARNESS_LABEL}=1`];
}

export interface HarnessContainer {
  id: string;
  name: string;
  target: string | null;
  runId: string | null;
  /** Docker's state word: running, exited, created… */
  state: string;
  /** Owning process, when the container records it. */
  owner: Owner | null;
  /** Whether the run that made it still runs (false for unlabelled leftovers of older versions). */
  ownerAlive: boolean;
}

export async function listHarnessContainers(docker: DockerClient, opts: { runId?: string } = {}): Promise<HarnessContainer[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: labelFilter(opts.runId) } });
  return containers.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    target: c.Labels[TARGET_LABEL] ?? null,
    runId: c.Labels[RUN_LABEL] ?? null,
    state: c.State,
    owner: ownerFromLabels(c.Labels),
    ownerAlive: isAlive(ownerFromLabels(c.Labels)),
  }));
}

function isAlive(owner: Owner | null): boolean {
  return owner !== null && ownerAlive(owner);
}

export interface CleanResult {
  removed: HarnessContainer[];
  /** Containers left alone because their run is still going. */
  skipped: HarnessContainer[];
  networks: number;
}

/**
 * `clean`: removes harness containers whose run is gone (owner process dead, or no owner label);
 * containers of live runs are skipped unless `force`. Optionally only those of one run.
 */
export async function cleanHarness(docker: DockerClient, opts: { runId?: string; force?: boolean } = {}): Promise<CleanResult> {
  const result: CleanResult = { removed: [], skipped: [], networks: 0 };
  for (const c of await listHarnessContainers(docker, opts.runId ? { runId: opts.runId } : {})) {
    if (c.ownerAlive && !opts.force) {
      result.skipped.push(c);
      continue;
    }
    await removeQuietly(docker.getContainer(c.id));
    result.removed.push(c);
  }
  // The harness runs targets on the host network; networks are only leftovers of older versions.
  const networks = await docker.listNetworks({ filters: { label: labelFilter(opts.runId) } });
  for (const network of networks) {
    try {
      await docker.getNetwork(network.Id).remove();
      result.networks += 1;
    } catch (error) {
      if (dockerStatus(error) !== 404) throw error;
    }
  }
  return result;
}

/** Removes every container (and network) the harness labelled, optionally of one run; returns how many. */
export async function removeHarnessContainers(docker: DockerClient, opts: { runId?: string } = {}): Promise<number> {
  let removed = 0;
  for (const c of await listHarnessContainers(docker, opts)) {
    await removeQuietly(docker.getContainer(c.id));
    removed += 1;
  }
  const networks = await docker.listNetworks({ filters: { label: labelFilter(opts.runId) } });
  for (const network of networks) {
    try {
      await docker.getNetwork(network.Id).remove();
      removed += 1;
    } catch (error) {
      if (dockerStatus(error) !== 404) throw error;
    }
  }
  return removed;
}
