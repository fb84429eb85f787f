/**
 * Where a Docker engine is: a URL (unix://, tcp:// with or without TLS, ssh://), a Docker context
 * name, or DOCKER_HOST/DOCKER_CONTEXT, turned into dockerode options; and which engine, if any, runs
 * the targets (chooseTargetHost). Connecting is engine/client.ts's.
 *
 * Credentials never leave this module and the options: `display` is the engine without user,
 * password or TLS paths.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { ConfigError } from '../../errors.ts';
import { sshOptions } from './ssh-auth.ts';

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
 * (key and known host as src/targets/engine/ssh-auth.ts finds them). Throws ConfigError for anything else.
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
