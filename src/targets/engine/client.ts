/**
 * The one way to a Docker engine: this machine's (dockerode, through docker-modem, honours
 * DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself) or one named by an EngineEndpoint
 * (unix, tcp, TLS, ssh: engine/endpoint.ts), connected and pinged with a deadline, so an absent
 * engine fails once, early, with a hint, not at the first build. The same ping tells a lost engine.
 */
import Docker from 'dockerode';
import { ConfigError, describeError, InfrastructureError } from '../../errors.ts';
import type { EngineEndpoint } from './endpoint.ts';

export type DockerClient = Docker;

/** Resolves when the engine answers a ping within `timeoutMs`; rejects with its error or "no answer within …". */
export async function pingWithin(docker: DockerClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A client for `options` (undefined: this machine's engine), pinged; `fail` turns a failed ping into the caller's error. */
async function connect(options: Docker.DockerOptions | undefined, timeoutMs: number, fail: (error: unknown) => Error): Promise<DockerClient> {
  if ((options as { protocol?: string } | undefined)?.protocol === 'ssh') muteModemUrlWarning();
  const docker = new Docker(options);
  try {
    await pingWithin(docker, timeoutMs);
  } catch (error) {
    throw fail(error);
  }
  return docker;
}

/** This machine's engine; an absent one is an infrastructure problem (exit 3) that `setup` fixes. */
export function connectDocker(opts: { timeoutMs?: number } = {}): Promise<DockerClient> {
  return connect(undefined, opts.timeoutMs ?? 5_000, (error) =>
    new InfrastructureError(`cannot reach the Docker engine: ${describeError(error)}`, {
      cause: error,
      hint: 'run `npx httpbench setup` (as root on Debian/Ubuntu it installs and starts the engine), or set DOCKER_HOST to a running engine',
    }),
  );
}

/** An engine the user named (a target host, a swarm manager); unreachable is bad input here (exit 2), not a crash. */
export function connectEngine(endpoint: EngineEndpoint, timeoutMs = 5_000): Promise<DockerClient> {
  return connect(endpoint.options, timeoutMs, (error) => {
    const message = describeError(error);
    const auth = /authenticat|permission denied|publickey/i.test(message);
    const hostKey = /host denied/i.test(message);
    const tls = /certificate|tls|ssl|EPROTO/i.test(message);
    return new ConfigError(`cannot reach the target host's Docker engine ${endpoint.display}: ${message.replace(/\s+/g, ' ').slice(0, 200)}`, {
      cause: error,
      hint: auth
        ? 'ssh refused the login: check the user, and the key (HTTPBENCH_SSH_KEY, the agent or ~/.ssh/id_*): ssh USER@HOST docker info must work'
        : hostKey
          ? "the host's ssh key is not in known_hosts, or differs from it: check it with ssh USER@HOST once (or set HTTPBENCH_SSH_KNOWN_HOSTS)"
          : tls
          ? 'TLS failed: check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or the context\'s TLS material'
          : 'check the engine URL and that dockerd listens there (and that a firewall lets this machine in)',
    });
  });
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

/** HTTP status of a dockerode error (404 no such container/image, 304 already stopped, 409 conflict). */
export function dockerStatus(error: unknown): number | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}
