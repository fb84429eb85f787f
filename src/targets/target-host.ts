/**
 * A target host: the Docker engine the targets run on when it is not this machine, and the address
 * they bind to there. Everything that was local becomes per host here: the engine connection
 * (URL, Docker context or DOCKER_HOST, through dockerode), the host's CPUs and memory (`docker info`
 * plus a short-lived helper container for the CPU model and the host's addresses), and the stand-in
 * base images, copied over the API when the host cannot pull them.
 *
 * Credentials never leave this module: `display` is the engine without user, password or TLS paths.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { ConfigError, describeError, InfrastructureError, InterruptedError } from '../errors.ts';
import type { HostEnvironment } from '../schema/run.ts';
import { dockerStatus, type DockerClient } from './engine/client.ts';
import { acceptsTcp } from '../util/tcp.ts';
import { anyImage, copyImage, helperCandidates } from './image/transfer.ts';
import { demuxDockerLogs } from './logs.ts';
import { HARNESS_LABEL } from './types.ts';
import { sshOptions } from './engine/ssh-auth.ts';

export interface EngineEndpoint {
  /** dockerode options (may hold TLS material read from files: never log or store them). */
  options: Docker.DockerOptions;
  /** The engine for people and run.json: scheme, host and port only. */
  display: string;
  /** Host name or address in the URL (null for unix sockets). */
  urlHost: string | null;
}

/** "tcp://user:secret@10.0.0.5:2376" → "tcp://10.0.0.5:2376": no user, password, query or path. */
export function redactEngine(raw: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(raw);
  if (!match) return raw.includes('://') ? '(unparsable engine URL)' : `context ${raw.replace(/[^\w.-]/g, '?')}`;
  const [, scheme, hostPort] = match;
  return scheme!.toLowerCase() === 'unix' ? `unix://${raw.replace(/^unix:\/\//i, '').replace(/\?.*$/, '')}` : `${scheme!.toLowerCase()}://${hostPort}`;
}

interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

function readTls(dir: string): TlsFiles {
  const read = (name: string) => {
    try {
      return readFileSync(path.join(dir, name), 'utf8');
    } catch {
      // A missing file means "no client certificate" (server-only TLS), not an error by itself.
      return undefined;
    }
  };
  const files: TlsFiles = {};
  for (const [key, name] of [['ca', 'ca.pem'], ['cert', 'cert.pem'], ['key', 'key.pem']] as const) {
    const text = read(name);
    if (text !== undefined) files[key] = text;
  }
  return files;
}

/**
 * dockerode options for an engine URL: unix:///path, tcp://host:port (TLS when `tls` is given, as
 * DOCKER_TLS_VERIFY/DOCKER_CERT_PATH or a context with TLS material say), ssh://user@host[:port]
 * (key and known host as src/targets/ssh-auth.ts finds them). Throws ConfigError for anything else.
 */
export function engineOptions(raw: string, tls: TlsFiles | null = null, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ConfigError(`target host engine ${redactEngine(raw)} is not a URL or a Docker context`, {
      cause: error,
      hint: 'give tcp://ADDRESS:2375, ssh://USER@HOST or the name of a Docker context (docker context ls)',
    });
  }
  const display = redactEngine(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  switch (url.protocol) {
    case 'unix:':
      return { options: { socketPath: url.pathname }, display, urlHost: null };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const secure = url.protocol === 'https:' || tls !== null;
      const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
      return { options: { host, port, protocol: secure ? 'https' : 'http', ...(tls ?? {}) }, display, urlHost: host };
    }
    case 'ssh:': {
      const port = url.port ? Number(url.port) : 22;
      return {
        options: {
          protocol: 'ssh',
          host,
          port,
          // No user in the URL: this machine's user name, as ssh does.
          username: url.username ? decodeURIComponent(url.username) : os.userInfo().username,
          ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
          // Key material stays in these options; no path or key ever reaches run.json or a message.
          sshOptions: sshOptions(host, port, env),
        } as Docker.DockerOptions,
        display,
        urlHost: host,
      };
    }
    default:
      throw new ConfigError(`target host engine ${display}: unsupported scheme ${url.protocol}`, {
        hint: 'use tcp://, ssh:// or unix:// (or a Docker context name)',
      });
  }
}

/** The Docker context store keeps each context under the SHA-256 of its name. */
export function contextEndpoint(name: string, dockerConfigDir = path.join(os.homedir(), '.docker')): EngineEndpoint {
  const id = createHash('sha256').update(name).digest('hex');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(path.join(dockerConfigDir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as typeof meta;
  } catch (error) {
    throw new ConfigError(`no Docker context named "${redactEngine(name).replace(/^context /, '')}"`, {
      cause: error,
      hint: 'create it (docker context create NAME --docker host=ssh://USER@HOST) or give the engine URL itself',
    });
  }
  const hostUrl = meta.Endpoints?.docker?.Host;
  if (!hostUrl) throw new ConfigError(`Docker context "${name}" names no Docker endpoint`, { hint: 'docker context inspect NAME shows it' });
  const tlsDir = path.join(dockerConfigDir, 'contexts', 'tls', id, 'docker');
  const tls = readTls(tlsDir);
  const endpoint = engineOptions(hostUrl, Object.keys(tls).length > 0 ? tls : null);
  return { ...endpoint, display: `${endpoint.display} (context ${name})` };
}

/** An engine given as URL or context name; plain tcp:// follows DOCKER_TLS_VERIFY/DOCKER_CERT_PATH like the docker CLI. */
export function resolveEngine(spec: string, env: NodeJS.ProcessEnv = process.env, dockerConfigDir?: string): EngineEndpoint {
  if (!spec.includes('://')) return contextEndpoint(spec, dockerConfigDir);
  const tlsWanted = /^tcp:/i.test(spec) && env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  const tls = tlsWanted ? readTls(env.DOCKER_CERT_PATH ?? path.join(os.homedir(), '.docker')) : null;
  return engineOptions(spec, tls, env);
}

export interface TargetHostChoice {
  /** Engine URL or context name as given (may hold credentials: use `endpoint.display`). */
  engine: string;
  address: string;
  /** Where the choice came from, for messages. */
  from: string;
}

/**
 * Which target host, if any: --target-host (with --target-address, or the URL's own IP), else the
 * scenario's hosts.targets, else DOCKER_HOST when it names a remote engine, else DOCKER_CONTEXT when
 * it names a context other than "default" (then the engine URL's IP is the address). Null = the
 * targets run on this machine. Reads `env` and, for a context name, the context store.
 */
export function chooseTargetHost(opts: {
  flag?: string | undefined;
  flagAddress?: string | undefined;
  scenario?: { docker: string; address: string } | undefined;
  env?: NodeJS.ProcessEnv;
  dockerConfigDir?: string;
}): TargetHostChoice | null {
  const env = opts.env ?? process.env;
  const addressOf = (engine: string, from: string): string => {
    if (opts.flagAddress) return opts.flagAddress;
    if (opts.scenario && from !== 'DOCKER_HOST' && from !== 'DOCKER_CONTEXT') return opts.scenario.address;
    const url = engine.includes('://') ? engine : `x://${contextEndpoint(engine, opts.dockerConfigDir).urlHost ?? ''}`;
    const host = /^[a-z]+:\/\/(?:[^@/]*@)?\[?([^\]/:]+|[0-9a-f:]+)\]?/i.exec(url)?.[1];
    if (host && net.isIP(host)) return host;
    throw new ConfigError(`the targets' address on ${redactEngine(engine)} (${from}) is unknown`, {
      hint: 'give the IP address the targets should bind to with --target-address ADDRESS (or hosts.targets.address in the scenario)',
    });
  };
  let choice: TargetHostChoice | null = null;
  if (opts.flag) choice = { engine: opts.flag, address: addressOf(opts.flag, '--target-host'), from: '--target-host' };
  else if (opts.scenario) choice = { engine: opts.scenario.docker, address: addressOf(opts.scenario.docker, 'hosts.targets'), from: 'hosts.targets' };
  else if (env.DOCKER_HOST && /^(tcp|ssh|https?):\/\//i.test(env.DOCKER_HOST)) {
    const host = /^[a-z]+:\/\/(?:[^@/]*@)?\[?([^\]/:]+|[0-9a-f:]+)\]?/i.exec(env.DOCKER_HOST)?.[1] ?? '';
    // A DOCKER_HOST on this machine (tcp://127.0.0.1:2375) is still the local engine.
    if (!/^(127\.|localhost$|::1$)/.test(host)) choice = { engine: env.DOCKER_HOST, address: addressOf(env.DOCKER_HOST, 'DOCKER_HOST'), from: 'DOCKER_HOST' };
  } else if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') {
    choice = { engine: env.DOCKER_CONTEXT, address: addressOf(env.DOCKER_CONTEXT, 'DOCKER_CONTEXT'), from: 'DOCKER_CONTEXT' };
  } else if (opts.flagAddress) {
    throw new ConfigError('--target-address without a target host', { hint: 'add --target-host ENGINE (or hosts.targets in the scenario)' });
  }
  if (choice && !net.isIP(choice.address)) {
    throw new ConfigError(`target address "${choice.address}" (${choice.from}) is not an IP address`, {
      hint: 'give the IP address of the targets\' host that the load machine reaches, e.g. 10.0.0.5',
    });
  }
  return choice;
}

/**
 * docker-modem's ssh transport formats its request address as "ssh:HOST:PORT/…", which Node's
 * url.parse flags as DEP0170 on the first call: a line on stderr before every ssh run's output that
 * says nothing to the user. Node prints warnings from a 'warning' listener; this wraps those
 * listeners to drop that code only. Once per process.
 */
let modemUrlWarningMuted = false;
function muteModemUrlWarning(): void {
  if (modemUrlWarningMuted) return;
  modemUrlWarningMuted = true;
  for (const listener of process.listeners('warning')) {
    process.off('warning', listener);
    process.on('warning', (warning) => {
      if ((warning as Error & { code?: string }).code !== 'DEP0170') listener(warning);
    });
  }
}

/** Connects and pings with a deadline; an unreachable engine is bad input here (exit 2), not a crash. */
export async function connectEngine(endpoint: EngineEndpoint, timeoutMs = 5_000): Promise<DockerClient> {
  if ((endpoint.options as { protocol?: string }).protocol === 'ssh') muteModemUrlWarning();
  const docker = new Docker(endpoint.options);
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (error) {
    const message = describeError(error);
    const auth = /authenticat|permission denied|publickey/i.test(message);
    const hostKey = /host denied/i.test(message);
    const tls = /certificate|tls|ssl|EPROTO/i.test(message);
    throw new ConfigError(`cannot reach the target host's Docker engine ${endpoint.display}: ${message.replace(/\s+/g, ' ').slice(0, 200)}`, {
      cause: error,
      hint: auth
        ? 'ssh refused the login: check the user, and the key (HTTPBENCH_SSH_KEY, the agent or ~/.ssh/id_*): ssh USER@HOST docker info must work'
        : hostKey
          ? "the host's ssh key is not in known_hosts, or differs from it: check it with ssh USER@HOST once (or set HTTPBENCH_SSH_KNOWN_HOSTS)"
          : tls
          ? 'TLS failed: check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or the context\'s TLS material'
          : 'check the engine URL and that dockerd listens there (and that a firewall lets this machine in)',
    });
  }
  return docker;
}

/**
 * The error a two-host run ends with: when the target host's engine no longer answers, that is the
 * cause, in one line (exit 3), whatever call noticed it first — a failed inspect, a stop that could
 * not remove its container. `error` null = the run ended without throwing (targets marked failed):
 * still checked. An interrupt, bad input or an engine that answers keeps `error` as it was.
 */
export async function lostEngineError(host: Pick<TargetHost, 'docker' | 'endpoint'>, error: unknown, timeoutMs = 3_000): Promise<unknown> {
  if (error instanceof InterruptedError || error instanceof ConfigError) return error;
  try {
    await Promise.race([
      host.docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
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
    HostConfig: { NetworkMode: 'host', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
  });
  try {
    await container.start();
    await container.wait();
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const [cpu = '', trie = '', boot = ''] = demuxDockerLogs(raw).split('\n---\n');
    return { cpuModel: /model name\s*:\s*(.+)/.exec(cpu)?.[1]?.trim() ?? null, addresses: localAddressesFromFibTrie(trie), bootId: boot.trim() || null };
  } finally {
    await container.remove({ force: true }).catch((error: unknown) => {
      if (dockerStatus(error) !== 404) throw error;
    });
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
