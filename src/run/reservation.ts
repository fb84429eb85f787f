/**
 * What a run owns while it measures: its results directory and the CPUs it pins targets and the
 * generator to. Both are claimed with lock files holding the owner (host, pid, pid start time), so
 * two concurrent runs can never write the same run.json or silently share CPUs, and a lock left by
 * a killed run (its pid gone) is reclaimed by the next run.
 *
 * Policy for CPUs: refuse (InfrastructureError, exit 3) naming the run that holds them. Waiting
 * would hide the contention from a CI job's time budget; splitting would change the measured setup.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, InfrastructureError } from '../errors.ts';
import { currentOwner, ownerAlive, type Owner } from '../util/owner.ts';

/** Where CPU locks live: one directory per host (/tmp is shared by every process of the host). The CLI passes its env. */
export function lockDirFrom(env: NodeJS.ProcessEnv): string {
  return env.HTTPBENCH_LOCK_DIR || path.join(os.tmpdir(), 'httpbench-locks');
}

export interface LockRecord extends Owner {
  runId: string;
  /** What the lock is for, for messages ("CPU 1", "results directory …"). */
  what: string;
}

export type LockResult = { acquired: true; release: () => Promise<void> } | { acquired: false; holder: LockRecord };

function parseRecord(text: string): LockRecord | null {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    if (typeof r.pid !== 'number' || typeof r.host !== 'string') return null;
    return { host: r.host, pid: r.pid, pidStart: r.pidStart ?? null, runId: String(r.runId ?? '?'), what: String(r.what ?? '?') };
  } catch {
    return null;
  }
}

/**
 * Creates `file` exclusively with `record` as content (written to a temp file, then hard-linked, so
 * a reader never sees a half-written lock). A lock whose owner is dead is reclaimed; a live one is
 * returned as the holder.
 */
export async function acquireLock(file: string, record: LockRecord): Promise<LockResult> {
  await mkdir(path.dirname(file), { recursive: true });
  const text = `${JSON.stringify(record)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text);
    try {
      await link(tmp, file);
      return {
        acquired: true,
        release: async () => {
          // Only our own lock: a reclaimed-and-retaken lock belongs to someone else now.
          const now = await readFile(file, 'utf8').catch(() => null);
          if (now === text) await unlink(file).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(tmp, { force: true });
    }
    const existing = await readFile(file, 'utf8').catch(() => null);
    if (existing === null) continue; // released meanwhile: try again
    const holder = parseRecord(existing);
    if (holder && ownerAlive(holder)) return { acquired: false, holder };
    // Stale (dead owner) or unreadable: move it aside, and put it back if what moved was not it.
    const aside = `${file}.stale.${randomBytes(4).toString('hex')}`;
    try {
      await rename(file, aside);
    } catch {
      continue;
    }
    const moved = await readFile(aside, 'utf8').catch(() => null);
    if (moved !== existing) await link(aside, file).catch(() => undefined);
    await rm(aside, { force: true });
  }
  throw new InfrastructureError(`could not take the lock ${file}: it keeps changing hands`, { hint: 'retry the run' });
}

function describeHolder(h: LockRecord): string {
  return `run ${h.runId} (pid ${h.pid}${h.host === os.hostname() ? '' : ` on ${h.host}`})`;
}

export interface Reservation {
  release(): Promise<void>;
}

/**
 * Reserves every CPU in `cpus` for this run, or none: if another live run holds one, the ones taken
 * are released and an InfrastructureError names the holder.
 */
export async function reserveCpus(cpus: readonly number[], runId: string, lockDir: string): Promise<Reservation> {
  const owner = currentOwner();
  const held: Array<() => Promise<void>> = [];
  const releaseAll = async () => {
    for (const release of held.reverse()) await release();
    held.length = 0;
  };
  // Ascending order: two runs wanting overlapping sets meet at the same first CPU.
  for (const cpu of [...new Set(cpus)].sort((a, b) => a - b)) {
    let result: LockResult;
    try {
      result = await acquireLock(path.join(lockDir, `cpu-${cpu}.lock`), { ...owner, runId, what: `CPU ${cpu}` });
    } catch (error) {
      await releaseAll();
      if (error instanceof InfrastructureError) throw error;
      throw new InfrastructureError(`cannot create CPU locks in ${lockDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        cause: error,
        hint: 'set HTTPBENCH_LOCK_DIR to a writable directory shared by every httpbench run on this host',
      });
    }
    if (!result.acquired) {
      await releaseAll();
      throw new InfrastructureError(`CPU ${cpu} is in use by another httpbench ${describeHolder(result.holder)}`, {
        hint:
          'two runs on the same CPUs would measure each other; wait for that run to finish, or give this one other CPUs ' +
          '(resources.targetCpuset / resources.generatorCpuset in the scenario)',
      });
    }
    held.push(result.release);
  }
  return { release: releaseAll };
}

export const DIR_LOCK_NAME = '.httpbench-run.lock';

/** Claims a results directory for this run: a second live run writing into it is refused (exit 2). */
export async function claimResultDir(dir: string, runId: string): Promise<Reservation> {
  const result = await acquireLock(path.join(dir, DIR_LOCK_NAME), { ...currentOwner(), runId, what: `results directory ${dir}` });
  if (!result.acquired) {
    throw new ConfigError(`results directory ${dir} is in use by another httpbench ${describeHolder(result.holder)}`, {
      hint: 'give this run its own --out, or leave --out out for a fresh results/<run id> directory',
    });
  }
  return { release: result.release };
}

/** Run id: UTC time to the second plus a random suffix, so runs started together never share one. */
export function makeRunId(now: Date, random: string = randomBytes(3).toString('hex')): string {
  return `${now.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z')}-${random}`;
}

/**
 * Creates a fresh results directory `<parent>/<runId>-<name>` exclusively (mkdir without
 * `recursive` fails if it exists), drawing a new suffix on a collision; returns the path and run id.
 */
export async function createRunDir(
  parent: string,
  name: string,
  now: Date,
  random: () => string = () => randomBytes(3).toString('hex'),
): Promise<{ dir: string; runId: string }> {
  await mkdir(parent, { recursive: true });
  for (let attempt = 0; attempt < 10; attempt++) {
    const runId = makeRunId(now, random());
    const dir = path.join(parent, `${runId}-${name}`);
    try {
      await mkdir(dir);
      return { dir, runId };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new InfrastructureError(`could not create a fresh results directory in ${parent}`, { hint: 'give one with --out' });
}
