/**
 * Issue 12 against real containers and real file systems: two concurrent runs do not share CPUs,
 * `clean` leaves a live run's containers alone, a container removed from outside is reported as
 * such (not as a crash), and a full or read-only disk gives a final run.json / a clear message.
 *
 * Scoped so other runs on the machine are never touched: containers are found by this test's run
 * ids (from the results directory's lock), `clean` is always given `--run`. The tmpfs cases mount
 * file systems, so this file needs root (CAP_SYS_ADMIN), like the Docker cases need the engine.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIR_LOCK_NAME } from '../../src/run/reservation.ts';
import { HARNESS_LABEL, PID_LABEL, RUN_LABEL } from '../../src/targets/types.ts';
import { httpbench } from '../helpers/cli.ts';
import { startFakeUsers, type FakeUsers } from '../helpers/fake-users.ts';
import { readDoc, waitFor } from '../helpers/run-doc.ts';

let tmp: string;
let lockDir: string;
const runIds = new Set<string>();
const mounts: string[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-lifecycle-'));
  lockDir = path.join(tmp, 'locks');
});
afterEach(async () => {
  // Only this file's runs: nothing of theirs may be left.
  for (const id of runIds) expect(await containersOf(id), `run ${id}`).toEqual([]);
});
afterAll(async () => {
  for (const m of mounts) await execa('umount', [m], { reject: false });
});

const goChi = '{ name: go-chi, context: ., dockerfile: docker/go-chi.Dockerfile, configurations: [{ id: one, env: { GOMAXPROCS: "1" } }] }';

async function scenarioFile(name: string, target: string, rates: number[], durationS: number): Promise<string> {
  const file = path.join(tmp, `${name}.yaml`);
  await writeFile(
    file,
    `name: ${name}
targets:
  - ${target}
resources: { cpus: 1, memoryMiB: 256 }
load:
  warmupS: 0
  connections: 8
  max: { durationS: 0.5, connections: 4 }
  steps: { rates: [${rates.join(', ')}], durationS: ${durationS}, stopAtSaturation: false }
  knee: { refineSteps: 0 }
slo: { p99Ms: 1000, errorRate: 1 }
startupTimeoutS: 60
`,
  );
  return file;
}

/** The run id and pid of the run writing into `out` (from its directory lock). */
async function runOf(out: string): Promise<{ runId: string; pid: number }> {
  const lock = await waitFor('the run to claim its directory', async () => JSON.parse(await readFile(path.join(out, DIR_LOCK_NAME), 'utf8')) as { runId: string; pid: number }, 180_000);
  runIds.add(lock.runId);
  return lock;
}

async function containersOf(runId: string): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--filter', `label=${HARNESS_LABEL}`, '--filter', `label=${RUN_LABEL}=${runId}`, '--format', '{{.ID}}']);
  return r.stdout.split('\n').filter(Boolean);
}

async function mountTmpfs(dir: string, options: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
}

const env = () => ({ HTTPBENCH_LOCK_DIR: lockDir });

describe('runs own what they touch (real containers)', { timeout: 600_000 }, () => {
  it('labels containers with the run and its pid; clean --run skips a live run; a second run on the same CPUs is refused', async () => {
    const file = await scenarioFile('owner', goChi, [50], 60);
    const out = path.join(tmp, 'owner');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 400_000, env: env() });
    const { runId, pid } = await runOf(out);
    const [id] = await waitFor('the container', async () => {
      const ids = await containersOf(runId);
      return ids.length > 0 && ((await readDoc(out)).targets[0]?.steps.length ?? 0) >= 1 ? ids : null;
    }, 180_000);
    const labels = JSON.parse((await execa('docker', ['inspect', '--format', '{{json .Config.Labels}}', id!])).stdout) as Record<string, string>;
    expect(labels[PID_LABEL]).toBe(String(pid));

    const clean = await httpbench(['clean', '--run', runId], { env: env() });
    expect(clean.exitCode, clean.all).toBe(0);
    expect(clean.stdout).toContain(`skipped 1 container(s) of run(s) still going: ${runId} (pid ${pid}`);
    expect(await containersOf(runId)).toEqual([id]);

    const second = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'second')], { timeoutMs: 120_000, env: env() });
    expect(second.exitCode, second.all).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`CPU \\d+ is in use by another httpbench run ${runId} \\(pid ${pid}\\)`));

    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, r.all).toBe(143);
    expect((await readDoc(out)).status).toBe('interrupted');
  });

  it('a container removed from outside is reported as removed, not as a crash of the target', async () => {
    const file = await scenarioFile('removed', goChi, [50, 60], 20);
    const out = path.join(tmp, 'removed');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 400_000, env: env() });
    const { runId } = await runOf(out);
    await waitFor('the first step', async () => ((await readDoc(out)).targets[0]?.steps.length ?? 0) >= 1, 180_000);
    const ids = await containersOf(runId);
    expect(ids).toHaveLength(1);
    await execa('docker', ['rm', '-f', ids[0]!]);
    const r = await child;
    expect(r.exitCode, r.all).toBe(3);
    const t = (await readDoc(out)).targets[0]!;
    expect(t.status).toBe('failed');
    expect(t.reason).toContain('the container was removed from outside httpbench during the step');
    expect(t.reason).not.toMatch(/exited with code/);
  });
});

describe('disks that cannot take the results', { timeout: 300_000 }, () => {
  let fake: FakeUsers;
  beforeAll(async () => {
    fake = await startFakeUsers();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const urlTarget = () => `{ name: fake, url: "${fake.url}" }`;

  it('a disk that fills during the run leaves a valid run.json with status failed (exit 3)', async () => {
    const disk = path.join(tmp, 'small-disk');
    // Just over the 50 MiB the run asks for at start; filled once the first step is saved.
    await mountTmpfs(disk, 'size=52m');
    const file = await scenarioFile('full', urlTarget(), [40, 50, 60], 2);
    const out = path.join(disk, 'out');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 200_000, env: env() });
    await waitFor('the first step', async () => ((await readDoc(out)).targets[0]?.steps.length ?? 0) >= 1, 180_000);
    await execa('sh', ['-c', `dd if=/dev/zero of=${disk}/filler bs=4k 2>/dev/null || true`]);
    const r = await child;
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/disk is full/);
    const doc = await readDoc(out);
    expect(doc.status).toBe('failed');
    expect(doc.finishedAt).not.toBeNull();
  });

  it('a read-only file system is named as such', async () => {
    const ro = path.join(tmp, 'read-only');
    await mountTmpfs(ro, 'ro,size=1m');
    const file = await scenarioFile('ro', urlTarget(), [40], 1);
    const r = await httpbench(['run', '--scenario', file, '--out', path.join(ro, 'a', 'b')], { env: env() });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toContain('is not writable: it is on a read-only file system');
  });
});
