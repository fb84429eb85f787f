/**
 * Issue 12: runs own what they touch. Fresh results directories are created exclusively, and CPU
 * and directory locks name their owner, refuse a live one and reclaim a dead one's.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, InfrastructureError } from '../../../src/errors.ts';
import { acquireLock, claimResultDir, createRunDir, makeRunId, reserveCpus } from '../../../src/run/reservation.ts';
import { currentOwner, ownerAlive, processStartTime } from '../../../src/util/owner.ts';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'httpbench-resv-'));
/** The pid of a process that has exited (a child we started and waited for). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('run ids and results directories', () => {
  it('makes run ids from the UTC second and a suffix', () => {
    expect(makeRunId(new Date('2026-11-27T20:42:01.123Z'), 'a1b2c3')).toBe('2026-11-27T204201Z-a1b2c3');
  });

  it('never gives two runs started in the same second the same directory', async () => {
    const parent = await tmp();
    const now = new Date('2026-11-27T20:42:01Z');
    // The first two draws collide; the second run must move on to a fresh suffix.
    const draws = ['aaaaaa', 'aaaaaa', 'bbbbbb'];
    const first = await createRunDir(parent, 'smoke', now, () => draws.shift()!);
    const second = await createRunDir(parent, 'smoke', now, () => draws.shift()!);
    expect(first).toEqual({ dir: path.join(parent, '2026-11-27T204201Z-aaaaaa-smoke'), runId: '2026-11-27T204201Z-aaaaaa' });
    expect(second.dir).toBe(path.join(parent, '2026-11-27T204201Z-bbbbbb-smoke'));
    // Many at once, as concurrent runs would: all distinct, all created.
    const many = await Promise.all(Array.from({ length: 20 }, () => createRunDir(parent, 'smoke', now)));
    expect(new Set(many.map((m) => m.dir)).size).toBe(20);
    expect((await readdir(parent)).length).toBe(22);
  });

  it('refuses a results directory another live run writes into (exit 2)', async () => {
    const dir = await tmp();
    const mine = await claimResultDir(dir, 'run-a');
    const error = await claimResultDir(dir, 'run-b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`results directory ${dir} is in use by another httpbench run run-a (pid ${process.pid})`);
    await mine.release();
    const again = await claimResultDir(dir, 'run-b');
    await again.release();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('owners', () => {
  it('tells a live owner from a dead pid and from a reused one', () => {
    const me = currentOwner();
    expect(ownerAlive(me)).toBe(true);
    expect(ownerAlive({ ...me, pid: deadPid() })).toBe(false);
    if (processStartTime(process.pid) !== null) expect(ownerAlive({ ...me, pidStart: '1' })).toBe(false);
  });
});

describe('CPU reservation', () => {
  it('refuses CPUs held by a live run, naming it, and keeps none of the others', async () => {
    const lockDir = await tmp();
    const first = await reserveCpus([1], 'run-a', lockDir);
    const error = await reserveCpus([0, 1], 'run-b', lockDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).exitCode).toBe(3);
    expect((error as Error).message).toBe(`CPU 1 is in use by another httpbench run run-a (pid ${process.pid})`);
    expect((error as InfrastructureError).hint).toContain('resources.targetCpuset');
    // CPU 0 was taken and released again: only run-a's lock remains.
    expect(await readdir(lockDir)).toEqual(['cpu-1.lock']);
    const disjoint = await reserveCpus([0], 'run-b', lockDir);
    await disjoint.release();
    await first.release();
    expect(await readdir(lockDir)).toEqual([]);
  });

  it("reclaims a lock whose owner died (a killed run's)", async () => {
    const lockDir = await tmp();
    const stale = { ...currentOwner(), pid: deadPid(), pidStart: null, runId: 'killed', what: 'CPU 3' };
    await writeFile(path.join(lockDir, 'cpu-3.lock'), JSON.stringify(stale));
    const r = await reserveCpus([3], 'run-new', lockDir);
    expect(JSON.parse(await readFile(path.join(lockDir, 'cpu-3.lock'), 'utf8'))).toMatchObject({ runId: 'run-new', pid: process.pid });
    await r.release();
  });

  it('gives a lock to exactly one of many concurrent takers', async () => {
    const lockDir = await tmp();
    await mkdir(lockDir, { recursive: true });
    const file = path.join(lockDir, 'cpu-0.lock');
    const owner = currentOwner();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => acquireLock(file, { ...owner, runId: `r${i}`, what: 'CPU 0' })));
    expect(results.filter((r) => r.acquired).length).toBe(1);
  });
});
