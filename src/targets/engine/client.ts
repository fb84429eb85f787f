/**
 * The Docker engine connection. dockerode (through docker-modem) honours DOCKER_HOST, DOCKER_TLS_VERIFY
 * and DOCKER_CERT_PATH itself, so the harness never reads the host environment here.
 */
import Docker from 'dockerode';
import { describeError, InfrastructureError } from '../../errors.ts';

export type DockerClient = Docker;

/** Connects and pings, so an absent engine fails once, early, with a hint, not at the first build. */
export async function connectDocker(opts: { timeoutMs?: number } = {}): Promise<DockerClient> {
  const docker = new Docker();
  const timeoutMs = opts.timeoutMs ?? 5_000;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  } catch (error) {
    throw new InfrastructureError(`cannot reach the Docker engine: ${describeError(error)}`, {
      cause: error,
      hint: 'run `npx httpbench setup` (as root on Debian/Ubuntu it installs and starts the engine), or set DOCKER_HOST to a running engine',
    });
  }
  return docker;
}

/** HTTP status of a dockerode error (404 no such container/image, 304 already stopped, 409 conflict). */
export function dockerStatus(error: unknown): number | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}
