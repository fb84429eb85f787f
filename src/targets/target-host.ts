/**
 * A target host: the Docker engine the targets run on when it is not this machine, and the address
 * they bind to there. Opened and checked here (engine/endpoint.ts says where the engine is,
 * engine/client.ts connects): the host's CPUs and memory (`docker info` plus a short-lived helper
 * container for the CPU model and the host's addresses), a fresh host given a helper base image from
 * this machine, a lost engine told apart from the error that noticed it, free ports on it.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { ConfigError, describeError, InfrastructureError, InterruptedError } from '../errors.ts';
import type { HostEnvironment } from '../schema/run.ts';
import { connectEngine, pingWithin, type DockerClient } from './engine/client.ts';
import { resolveEngine, type EngineEndpoint, type TargetHostChoice } from './engine/endpoint.ts';
import { acceptsTcp } from '../util/tcp.ts';
import { anyImage, copyImage, helperCandidates } from './image/transfer.ts';
import { demuxDockerLogs } from './logs.ts';
import { HARNESS_LABEL } from './types.ts';
import { hardenedHostConfig, removeQuietly } from './container/managed.ts';

/**
 * The error a two-host run ends with: when the target host's engine no longer answers, that is the
 * cause, in one line (exit 3), whatever call noticed it first — a failed inspect, a stop that could
 * not remove its container. `error` null = the run ended without throwing (targets marked failed):
 * still checked. An interrupt, bad input or an engine that answers keeps `error` as it was.
 */
export async function lostEngineError(host: Pick<TargetHost, 'docker' | 'endpoint'>, error: unknown, timeoutMs = 3_000): Promise<unknown> {
  if (error instanceof InterruptedError || error instanceof ConfigError) return error;
  try {
    await pingWithin(host.docker, timeoutMs);
    return error;
  } catch (pingError) {
    const line = (e: unknown) => describeError(e).split('\n')[0]!.slice(0, 200);
    return new InfrastructureError(`the target host's Docker engine ${host.endpoint.display} stopped answering during the run (${line(pingError)})`, {
      cause: error ?? pingError,
      hint: "run.json and the reports keep what was measured; once the engine is back, remove what the run left there with 'httpbench clean --target-host ENGINE'",
    });
  }
}

/**
 * Addresses a host answers on, from /proc/net/fib_trie: an address followed by a "/32 host LOCAL"
 * line is the host's own. Pure.
 */
export function localAddressesFromFibTrie(text: string): string[] {
  const found = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const match = /\|--\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(lines[i]!);
    if (match && /\/32 host LOCAL/.test(lines[i + 1]!)) found.add(match[1]!);
  }
  return [...found].sort();
}

export interface HostProbe {
  cpuModel: string | null;
  /** IPv4 addresses of the host's network namespace; null when no helper image was there. */
  addresses: string[] | null;
  /** The host kernel's boot id (not namespaced: equal on every container and namespace of one kernel). */
  bootId: string | null;
}

/**
 * Runs a short-lived helper container on the host's network (never this machine's) that prints
 * the CPU model and the routing trie; removed whatever happens.
 */
export async function probeHost(docker: DockerClient, standIns: Readonly<Record<string, string>>): Promise<HostProbe> {
  const image = await anyImage(docker, helperCandidates(standIns));
  if (!image) return { cpuModel: null, addresses: null, bootId: null };
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: ["grep -m1 'model name' /proc/cpuinfo; echo '---'; cat /proc/net/fib_trie; echo '---'; cat /proc/sys/kernel/random/boot_id"],
    User: '65534:65534',
    Labels: { [HARNESS_LABEL]: '1' },
    HostConfig: hardenedHostConfig({}),
  });
  try {
    await container.start();
    await container.wait();
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const [cpu = '', trie = '', boot = ''] = demuxDockerLogs(raw).split('\n---\n');
    return { cpuModel: /model name\s*:\s*(.+)/.exec(cpu)?.[1]?.trim() ?? null, addresses: localAddressesFromFibTrie(trie), bootId: boot.trim() || null };
  } finally {
    await removeQuietly(container);
  }
}

export interface TargetHost {
  docker: DockerClient;
  endpoint: EngineEndpoint;
  address: string;
  environment: HostEnvironment;
  /**
   * The target host runs on this machine's kernel (same boot id: a network namespace or a second
   * engine here, as the test rig is), so its CPU numbers are this machine's CPUs: the generator must
   * stay off the targets' cpuset, as on one machine.
   */
  sharesThisKernel: boolean;
}

/** This kernel's boot id, or null where /proc does not have it. */
export async function localBootId(): Promise<string | null> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim() || null;
}

/**
 * Connects to the target host and checks it: reachable (exit 2 if not), not this machine by another
 * name (same engine ID as the local engine, or the address is one of this machine's), and the
 * address is one of its own. Describes it for run.json. `standIns`: the manifests' (official → stand-in).
 */
export async function openTargetHost(
  choice: TargetHostChoice,
  local: DockerClient | null,
  standIns: Readonly<Record<string, string>>,
  log: (line: string) => void,
): Promise<TargetHost> {
  const endpoint = resolveEngine(choice.engine);
  const docker = await connectEngine(endpoint);
  const info = (await docker.info()) as Record<string, unknown>;
  const localAddresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
  const localId = local ? (((await local.info().catch(() => null)) as Record<string, unknown> | null)?.ID ?? null) : null;
  if (localAddresses.includes(choice.address) || (localId !== null && localId === info.ID)) {
    throw new ConfigError(`the target host ${endpoint.display} (${choice.address}) is this machine`, {
      hint: 'targets and load on one machine: drop the target host; two machines: give the other machine\'s engine and address',
    });
  }
  // A fresh engine has no image for the helper: give it a stand-in base from this machine first
  // (the builds need it anyway), so the address check does not depend on what was there before.
  if (local && !(await anyImage(docker, helperCandidates(standIns)))) {
    const source = await anyImage(local, helperCandidates(standIns));
    if (source) await copyImage(local, docker, source, log);
  }
  const probe = await probeHost(docker, standIns);
  if (probe.addresses !== null && net.isIPv4(choice.address) && !probe.addresses.includes(choice.address)) {
    throw new ConfigError(`address ${choice.address} is not on the target host ${endpoint.display} (it has ${probe.addresses.filter((a) => !a.startsWith('127.')).join(', ') || 'only loopback'})`, {
      hint: 'give one of the host\'s own addresses that this machine reaches (--target-address or hosts.targets.address)',
    });
  }
  const str = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);
  const localBoot = await localBootId();
  return {
    docker,
    endpoint,
    address: choice.address,
    sharesThisKernel: probe.bootId !== null && probe.bootId === localBoot,
    environment: {
      role: 'targets',
      engine: endpoint.display,
      address: choice.address,
      cpuModel: probe.cpuModel ?? 'unknown',
      cpuCount: Number(info.NCPU) || 1,
      memoryBytes: Number(info.MemTotal) || 1,
      os: str(info.OperatingSystem, 'unknown'),
      kernel: str(info.KernelVersion, 'unknown'),
      arch: str(info.Architecture, 'unknown'),
      dockerVersion: str(info.ServerVersion, '') || null,
    },
  };
}

/**
 * A port on the target host that nothing answers on now (probed from here, to the scenario's
 * address only). The container may still lose a race for it; start-up then fails with its logs.
 */
export async function freeRemotePort(address: string, random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(random() * 30_000);
    if (!(await acceptsTcp(address, port, 1000))) return port;
  }
  throw new ConfigError(`found no free port on ${address} in 20 tries`, { hint: 'check what listens on the target host' });
}
