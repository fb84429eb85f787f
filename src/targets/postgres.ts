/**
 * The PostgreSQL service the harness owns for `store: postgres` configurations: one container per
 * run, on 127.0.0.1 and a free port (host networking, like the targets), its own memory limit and
 * cpuset, hardened as far as Postgres allows, labelled like the targets so `clean`, SIGINT and crash
 * handling remove it, health-checked with `pg_isready`, and seeded once with a target image's own
 * seed command (targets/CONTRACT.md, "Seeding") so the table follows the same rule as the targets.
 *
 * The container never runs the image's entrypoint: the official image's script needs root (chown,
 * gosu), which the hardening takes away. Instead it runs `initdb` + `postgres` as the image's
 * `postgres` user, both on PATH in the official image and in the stand-in, with the data directory
 * on a tmpfs (the data set is rebuilt every run; nothing is persisted).
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { InfrastructureError, InterruptedError } from '../errors.ts';
import type { DockerClient } from './engine/client.ts';
import { containerState, FALLBACK_USER, hardenedHostConfig, harnessLabels, isRoot, logsTail, ManagedContainer, removeQuietly, startOrRemove, STOP_TIMEOUT_S, TMP_TMPFS } from './container/managed.ts';
import { imageInfo } from './image/build.ts';
import { demuxDockerLogs } from './logs.ts';
import { freeLoopbackPort } from './net.ts';
import type { ResourceSampler, TargetState } from './types.ts';

/** The official image the scenario names by default, and its air-gapped stand-in (scripts/build-bases.sh). */
export const OFFICIAL_POSTGRES_IMAGE = 'postgres:17';
export const STAND_IN_POSTGRES_IMAGE = 'httpbench-base/postgres:17';
/** TARGET_LABEL value of the database container (so `clean` lists it by role). */
export const DATABASE_ROLE = 'database';
const DB_USER = 'httpbench';
const DATA_DIR = '/pgtmp/data';

export interface DatabaseStartOptions {
  /** The scenario's image (database.image). */
  image: string;
  cpuset: string;
  memoryMiB: number;
  /** Extra `-c name=value` settings (database.settings). */
  settings: Record<string, string>;
  startupTimeoutS: number;
  runId: string;
  signal?: AbortSignal;
}

export interface RunningDatabase {
  /** libpq URL with the password, for targets and the seed only; never written to run.json or logs. */
  url: string;
  port: number;
  image: { tag: string; id: string; source: 'official' | 'stand-in' | 'override' };
  version: string | null;
  /** Container start → pg_isready answers, ms. */
  startMs: number;
  memoryBytes: number;
  sampleResources(): ResourceSampler;
  state(): Promise<TargetState>;
  logsTail(lines?: number): Promise<string>;
  /** Stops and removes the container; idempotent. */
  stop(): Promise<void>;
}

/**
 * Which image runs: the scenario's when present; for the default official image, the stand-in when
 * only that is present (offline hosts). Pure so the rule is tested on its own.
 */
export function chooseDatabaseImage(requested: string, present: (tag: string) => boolean): { tag: string; source: RunningDatabase['image']['source'] } | null {
  if (present(requested)) return { tag: requested, source: requested === OFFICIAL_POSTGRES_IMAGE ? 'official' : 'override' };
  if (requested === OFFICIAL_POSTGRES_IMAGE && present(STAND_IN_POSTGRES_IMAGE)) return { tag: STAND_IN_POSTGRES_IMAGE, source: 'stand-in' };
  return null;
}

/**
 * The container's command: initdb with a password (scram-sha-256 for every TCP connection), then
 * postgres on 127.0.0.1:port without a Unix socket (the read-only root has no socket directory).
 * The password reaches initdb through a file on the tmpfs, removed before the server starts.
 */
export function postgresCommand(port: number, settings: Record<string, string>): string[] {
  const script = [
    'set -e',
    'umask 077',
    `printf '%s\\n' "$HTTPBENCH_DB_PASSWORD" > /pgtmp/pwfile`,
    `initdb -D ${DATA_DIR} -U ${DB_USER} --pwfile=/pgtmp/pwfile --auth=scram-sha-256 --no-locale -E UTF8 >/pgtmp/initdb.log 2>&1 || { tail -n 5 /pgtmp/initdb.log >&2; exit 1; }`,
    'rm -f /pgtmp/pwfile',
    `exec postgres -D ${DATA_DIR} "$@"`,
  ].join('\n');
  const options: Array<[string, string]> = [
    ['listen_addresses', '127.0.0.1'],
    ['port', String(port)],
    ['unix_socket_directories', ''],
    ...Object.entries(settings),
  ];
  return ['sh', '-c', script, 'postgres', ...options.flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

export function databaseUrl(port: number, password: string): string {
  return `postgresql://${DB_USER}:${password}@127.0.0.1:${port}/postgres`;
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function execIn(container: Docker.Container, cmd: string[]): Promise<{ exitCode: number | null; output: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? null, output: demuxDockerLogs(Buffer.concat(chunks)).trim() };
}

function abortable(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}

/**
 * The image the database will run, with its id; throws (exit 3) naming the fix when neither the
 * scenario's image nor its stand-in is on this machine. Called before the run too, so a missing
 * image fails in a second, not after the memory configurations were measured.
 */
export async function resolveDatabaseImage(docker: DockerClient, image: string): Promise<RunningDatabase['image']> {
  const official = await imageInfo(docker, image);
  const standIn = image === OFFICIAL_POSTGRES_IMAGE && !official ? await imageInfo(docker, STAND_IN_POSTGRES_IMAGE) : null;
  const choice = chooseDatabaseImage(image, (tag) => (tag === image ? official !== null : standIn !== null));
  if (!choice) {
    throw new InfrastructureError(`database image ${image} is not on this machine`, {
      hint:
        image === OFFICIAL_POSTGRES_IMAGE
          ? `run 'docker pull ${OFFICIAL_POSTGRES_IMAGE}', or on an offline host 'bash scripts/build-bases.sh' (builds ${STAND_IN_POSTGRES_IMAGE})`
          : `pull or build ${image}, or remove database.image from the scenario`,
    });
  }
  return { ...choice, id: (choice.tag === image ? official : standIn)!.id };
}

export async function startPostgres(docker: DockerClient, opts: DatabaseStartOptions): Promise<RunningDatabase> {
  const choice = await resolveDatabaseImage(docker, opts.image);
  const imageId = choice.id;
  const port = await freeLoopbackPort();
  // Random per run: the port is on loopback only, but any local user could otherwise connect.
  const password = randomBytes(18).toString('base64url');
  const memoryBytes = opts.memoryMiB * 1024 * 1024;
  const container = await docker.createContainer({
    Image: choice.tag,
    name: `httpbench-postgres-${opts.runId}-${port}`,
    // Debian's and the official image's `postgres` user; Postgres refuses to run as root anyway.
    User: 'postgres',
    Entrypoint: [],
    Cmd: postgresCommand(port, opts.settings),
    Env: [`HTTPBENCH_DB_PASSWORD=${password}`, 'LANG=C.UTF-8'],
    Labels: harnessLabels(opts.runId, DATABASE_ROLE),
    StopTimeout: STOP_TIMEOUT_S,
    // A non-root postgres needs no capability at all. The data directory is a tmpfs: its pages count
    // towards the memory limit, so the limit bounds it too.
    HostConfig: hardenedHostConfig({
      cpuset: opts.cpuset,
      memoryBytes,
      pids: 256,
      tmpfs: { '/pgtmp': `rw,nosuid,nodev,size=${Math.max(64, Math.floor(opts.memoryMiB / 2))}m,mode=1777`, ...TMP_TMPFS },
    }),
  });
  const db = new DockerDatabase(container, databaseUrl(port, password), port, { tag: choice.tag, id: imageId, source: choice.source }, memoryBytes);
  return startOrRemove(container, async () => {
    const started = performance.now();
    await container.start();
    const deadline = started + opts.startupTimeoutS * 1000;
    for (;;) {
      abortable(opts.signal);
      const state = await containerState(container);
      if (!state.running) {
        throw new InfrastructureError(
          `the database container exited during start-up (exit code ${state.exitCode ?? 'unknown'}${state.oomKilled ? ', OOM-killed' : ''})\n--- logs ---\n${await db.logsTail(20)}`,
          { hint: state.oomKilled ? 'raise database.memoryMiB' : 'the logs above show why (a bad database.settings value names itself there)' },
        );
      }
      const ready = await execIn(container, ['pg_isready', '-q', '-h', '127.0.0.1', '-p', String(port)]);
      if (ready.exitCode === 0) break;
      if (performance.now() > deadline) {
        throw new InfrastructureError(`the database did not accept connections within ${opts.startupTimeoutS} s\n--- logs ---\n${await db.logsTail(20)}`, {
          hint: 'raise database.startupTimeoutS, or check the logs above',
        });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    db.startMs = performance.now() - started;
    const version = await execIn(container, ['postgres', '--version']).catch(() => null);
    db.version = version?.exitCode === 0 ? version.output : null;
    return db;
  });
}

class DockerDatabase extends ManagedContainer implements RunningDatabase {
  startMs = 0;
  version: string | null = null;
  constructor(
    container: Docker.Container,
    readonly url: string,
    readonly port: number,
    readonly image: RunningDatabase['image'],
    readonly memoryBytes: number,
  ) {
    super(container, 'the database container', 30);
  }
}

export interface SeedOptions {
  /** A built target image with the seed command (targets/CONTRACT.md, "Seeding"). */
  image: string;
  command: string[];
  url: string;
  users: number;
  runId: string;
  timeoutS: number;
}

/**
 * Runs the target image's seed command against the database (host network, hardened, labelled) and
 * waits for it. Exit 0 = exactly ids 1..users seeded; otherwise its one stderr line is the error.
 */
export async function seedDatabase(docker: DockerClient, opts: SeedOptions): Promise<void> {
  const info = await imageInfo(docker, opts.image);
  const user = info && !isRoot(info.user) ? info.user : FALLBACK_USER;
  const container = await docker.createContainer({
    Image: opts.image,
    name: `httpbench-seed-${opts.runId}-${randomBytes(3).toString('hex')}`,
    User: user,
    Cmd: opts.command,
    Env: [`DATABASE_URL=${opts.url}`, `USERS=${opts.users}`],
    Labels: harnessLabels(opts.runId, 'seed'),
    HostConfig: hardenedHostConfig({ memoryBytes: 256 * 1024 * 1024, pids: 128, tmpfs: TMP_TMPFS }),
  });
  try {
    await container.start();
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), opts.timeoutS * 1000).unref());
    const result = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, timer]);
    const logs = await logsTail(container, 5);
    if (result === 'timeout') {
      throw new InfrastructureError(`seeding the database did not finish within ${opts.timeoutS} s`, { hint: 'raise database.startupTimeoutS' });
    }
    if (result.StatusCode !== 0) {
      const line = logs.split('\n').filter((l) => l.trim() !== '').pop() ?? '(no output)';
      throw new InfrastructureError(`seeding the database with ${opts.image} ${opts.command.join(' ')} failed (exit ${result.StatusCode}): ${redactUrl(line)}`, {
        hint: 'database.seed must name a target image whose seed command follows targets/CONTRACT.md; rebuild it with `httpbench build`',
      });
    }
  } finally {
    await removeQuietly(container);
  }
}
