/**
 * Issue 12, run lifecycle, driven through the real CLI against fake url: targets on port 0:
 * `--targets` that selects nothing, bad `--out`s, two runs on one results directory or one CPU,
 * SIGTERM at the end of a run (exit code and run.json status agree), and `npx` forwarding SIGTERM.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIR_LOCK_NAME } from '../../src/run/reservation.ts';
import { ROOT, httpbench } from '../helpers/cli.ts';
import { startFakeUsers, type FakeUsers } from '../helpers/fake-users.ts';
import { readDoc, waitFor } from '../helpers/run-doc.ts';

let tmp: string;
let fake: FakeUsers;

function scenario(rates: number[], durationS: number): string {
  return `name: life
targets:
  - { name: fast, url: "${fake.url}" }
  - { name: other, url: "${fake.url}" }
resources: { cpus: 1 }
load:
  warmupS: 0
  connections: 8
  timeoutMs: 1000
  max: { durationS: 0.3, connections: 2 }
  steps: { rates: [${rates.join(', ')}], durationS: ${durationS}, stopAtSaturation: false }
  knee: { refineSteps: 0 }
slo: { p99Ms: 1000, errorRate: 1 }
`;
}

async function scenarioFile(name: string, rates: number[], durationS: number): Promise<string> {
  const file = path.join(tmp, `${name}.yaml`);
  await writeFile(file, scenario(rates, durationS));
  return file;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-life-'));
  fake = await startFakeUsers({ delayMs: 0 });
});
afterAll(async () => {
  await fake?.close();
});

describe('bad input is refused before anything runs (exit 2)', () => {
  it('--targets that selects nothing', async () => {
    const file = await scenarioFile('targets', [50], 0.3);
    for (const targets of [',', ' , ']) {
      const r = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'none'), '--targets', targets]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toContain(`--targets ${JSON.stringify(targets)} selects no target`);
      expect(r.stderr).toContain('hint: name at least one of: fast, other');
    }
    const unknown = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'none'), '--targets', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--targets names unknown target(s): nope');
    await expect(stat(path.join(tmp, 'none'))).rejects.toThrow();
  });

  it('--out naming an existing file, or a pseudo file system', async () => {
    const file = await scenarioFile('out', [50], 0.3);
    const existing = path.join(tmp, 'a-file');
    await writeFile(existing, 'not a directory');
    const r = await httpbench(['run', '--scenario', file, '--out', existing]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain(`results directory ${existing} exists and is not a directory`);
    const before = fake.requests;
    const proc = await httpbench(['run', '--scenario', file, '--out', '/proc/sys/x'], { timeoutMs: 30_000 });
    expect(proc.exitCode, proc.all).toBe(2);
    expect(proc.stderr).toContain('is on a special file system (proc)');
    expect(fake.requests).toBe(before);
  });
});

describe('concurrent runs', () => {
  it('never share a results directory or the generator CPUs: the second run is refused, the first is untouched', async () => {
    const file = await scenarioFile('long', [40], 30);
    const out = path.join(tmp, 'first');
    const first = httpbench(['run', '--scenario', file, '--out', out, '--targets', 'fast']);
    await waitFor('the first run to start measuring', async () => (await readDoc(out)).targets.length > 0, 30_000, 50);

    const sameDir = await httpbench(['run', '--scenario', file, '--out', out, '--targets', 'fast']);
    expect(sameDir.exitCode, sameDir.all).toBe(2);
    expect(sameDir.stderr).toMatch(new RegExp(`results directory ${out} is in use by another httpbench run \\S+ \\(pid \\d+\\)`));

    const otherDir = path.join(tmp, 'second');
    const sameCpu = await httpbench(['run', '--scenario', file, '--out', otherDir, '--targets', 'fast']);
    expect(sameCpu.exitCode, sameCpu.all).toBe(3);
    expect(sameCpu.stderr).toMatch(/CPU \d+ is in use by another httpbench run \S+ \(pid \d+\)/);
    expect(sameCpu.stderr).toContain('resources.generatorCpuset');

    first.kill('SIGTERM');
    const r = await first;
    expect(r.exitCode, r.all).toBe(143);
    const doc = await readDoc(out);
    expect(doc.status).toBe('interrupted');
    // The refused runs never wrote into the first run's directory.
    expect(doc.targets.map((t) => t.name)).toEqual(['fast']);
    // Locks are released: the directory can be used again.
    await expect(stat(path.join(out, DIR_LOCK_NAME))).rejects.toThrow();
  });
});

describe('signals and statuses agree', () => {
  it('SIGTERM right after the last step: completed with exit 0, or interrupted with 143 — reports written either way', async () => {
    const file = await scenarioFile('last', [50], 0.5);
    const out = path.join(tmp, 'last-step');
    const child = httpbench(['run', '--scenario', file, '--out', out, '--targets', 'fast']);
    // Poll fast for the last (only) rate step to be saved, then interrupt at once.
    await waitFor('the last step', async () => (await readDoc(out)).targets[0]?.steps.some((s) => s.kind === 'rate'), 30_000, 5);
    child.kill('SIGTERM');
    const r = await child;
    const doc = await readDoc(out);
    expect([r.exitCode, doc.status], r.all).toSatisfy(
      ([code, status]: [number | undefined, string]) => (code === 0 && status === 'completed') || (code === 143 && status === 'interrupted'),
    );
    await readFile(path.join(out, 'report.md'), 'utf8');
    await readFile(path.join(out, 'report.html'), 'utf8');
  });

  it('a run started by npm notices its parent shell is gone and interrupts itself', async () => {
    // npm's tree without npm: a shell that does not exec node (the `; true`), with npm's variable set.
    const file = await scenarioFile('orphan', [40, 50, 60, 70], 2);
    const out = path.join(tmp, 'orphan');
    const shell = execa('sh', ['-c', `node bin/httpbench.js run --scenario ${file} --out ${out} --targets fast; true`], {
      cwd: ROOT,
      reject: false,
      env: { npm_command: 'exec', HTTPBENCH_LOCK_DIR: path.join(tmp, 'orphan-locks') },
    });
    await waitFor('the run to measure', async () => (await readDoc(out)).targets[0]?.steps.length, 30_000, 50);
    const lock = JSON.parse(await readFile(path.join(out, DIR_LOCK_NAME), 'utf8')) as { pid: number };
    shell.kill('SIGKILL');
    await shell;
    await waitFor('the orphaned run to end', async () => !alive(lock.pid), 20_000, 50);
    expect((await readDoc(out)).status).toBe('interrupted');
  });

  it('SIGTERM to `npx httpbench run` interrupts the run instead of leaving it running on', async () => {
    const file = await scenarioFile('npx', [40, 50, 60, 70], 2);
    const out = path.join(tmp, 'npx');
    const child = execa('npx', ['--offline', 'httpbench', 'run', '--scenario', file, '--out', out, '--targets', 'fast'], {
      cwd: ROOT,
      reject: false,
      all: true,
      timeout: 120_000,
      env: { HTTPBENCH_LOCK_DIR: path.join(tmp, 'npx-locks') },
    });
    await waitFor('the npx run to measure', async () => (await readDoc(out)).targets[0]?.steps.length, 30_000, 50);
    const lock = JSON.parse(await readFile(path.join(out, DIR_LOCK_NAME), 'utf8')) as { pid: number };
    expect(lock.pid).not.toBe(child.pid);
    child.kill('SIGTERM');
    await child;
    // npm returns at once; the node process it started must notice, clean up and stop, not run on.
    await waitFor('the node process to end', async () => !alive(lock.pid), 20_000, 50);
    const doc = await readDoc(out);
    expect(doc.status).toBe('interrupted');
    expect(doc.targets[0]!.steps.length).toBeLessThan(5);
    const requests = fake.requests;
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests).toBe(requests);
  });
});
