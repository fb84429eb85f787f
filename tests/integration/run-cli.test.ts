/**
 * `httpbench run` end to end against in-process fake targets (url: targets on loopback): run.json
 * validates, reports are written, a bad input exits 2, SIGTERM mid-step leaves an interrupted run.json
 * with every completed step, and `compare` catches a dialled-in slowdown.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpbench } from '../helpers/cli.ts';
import { startFakeUsers, type FakeUsers } from '../helpers/fake-users.ts';
import { readDoc } from '../helpers/run-doc.ts';

let tmp: string;
let fast: FakeUsers;
let slow: FakeUsers;

function scenario(targets: Array<[string, string]>, extra = ''): string {
  return `name: fake
targets:
${targets.map(([n, u]) => `  - { name: ${n}, url: "${u}" }`).join('\n')}
resources: { cpus: 1 }
load:
  warmupS: 0.3
  # 16 connections: the 30 ms target can then take 16 / 0.03 s ≈ 530 req/s, above every offered rate.
  connections: 16
  timeoutMs: 1000
  max: { durationS: 0.5, connections: 4 }
  steps: { rates: [100, 200], durationS: 1 }
  knee: { refineSteps: 0 }
slo: { p99Ms: 500 }
${extra}`;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-run-'));
  fast = await startFakeUsers({ delayMs: 0 });
  slow = await startFakeUsers({ delayMs: 30 });
});
afterAll(async () => {
  await fast?.close();
  await slow?.close();
});

describe('httpbench run against fake url: targets', () => {
  it('measures both, writes a valid run.json and the reports', async () => {
    const file = path.join(tmp, 'ok.yaml');
    await writeFile(file, scenario([['fast', fast.url], ['slow', slow.url]]));
    const out = path.join(tmp, 'ok');
    // A secret in the environment must never reach the results.
    const r = await httpbench(['run', '--scenario', file, '--out', out], { env: { HTTPBENCH_TEST_TOKEN: 'sekrit-3f9a' } });
    expect(r.exitCode, r.all).toBe(0);
    for (const f of ['run.json', 'report.md', 'report.html']) expect(await readFile(path.join(out, f), 'utf8')).not.toContain('sekrit-3f9a');
    const doc = await readDoc(out);
    expect(doc.status).toBe('completed');
    expect(doc.targets.map((t) => [t.name, t.status])).toEqual([['fast', 'completed'], ['slow', 'completed']]);
    for (const t of doc.targets) {
      expect(t.steps.map((s) => s.offeredRps)).toEqual([null, 100, 200]);
      for (const s of t.steps.filter((s) => s.kind === 'rate')) {
        expect(s.achievedRps).toBeGreaterThan(0.9 * s.offeredRps!);
        expect(s.latencyUs.corrected).not.toBeNull();
        expect(s.latencyUs.uncorrected!.p99).toBeGreaterThanOrEqual(s.latencyUs.uncorrected!.p50);
      }
    }
    // The 30 ms target's median is at least its delay; the fast one's is well below it.
    const p50 = (name: string) => doc.targets.find((t) => t.name === name)!.steps[1]!.latencyUs.uncorrected!.p50;
    expect(p50('slow')).toBeGreaterThanOrEqual(30_000);
    expect(p50('fast')).toBeLessThan(30_000);
    expect(doc.environment.cpusets).toEqual({ target: '1', generator: '0' });
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('fast');
    expect((await readFile(path.join(out, 'report.html'), 'utf8')).startsWith('<!DOCTYPE html>')).toBe(true);

    // report re-renders from run.json alone, identical apart from the render time.
    const again = await httpbench(['report', out]);
    expect(again.exitCode, again.all).toBe(0);
    const md2 = await readFile(path.join(out, 'report.md'), 'utf8');
    const strip = (s: string) => s.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
    expect(strip(md2)).toBe(strip(md));
  });

  it('exits 1 when an absolute threshold fails, naming it, after writing every result file', async () => {
    const file = path.join(tmp, 'gate.yaml');
    const thresholds = `thresholds:
  - { target: slow, metric: maxRps, op: '<=', value: 50 }
  - { target: slow, metric: maxRps, op: '>', value: 10 }
`;
    // 4 closed-loop connections to a 30 ms target: ~130 req/s, so the first fails and the second
    // passes even when the generator was the limit (then the figure is a lower bound, which decides both).
    await writeFile(file, scenario([['slow', slow.url]], thresholds));
    const out = path.join(tmp, 'gate');
    const r = await httpbench(['run', '--scenario', file, '--out', out]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain('threshold FAILED: slow max throughput <= 50 req/s');
    expect(r.stderr).not.toContain('slow max throughput > 10 req/s');
    const verdicts = JSON.parse(await readFile(path.join(out, 'verdicts.json'), 'utf8'));
    expect(verdicts.thresholds.map((t: { status: string }) => t.status)).toEqual(['fail', 'pass']);
    // The figure that failed the gate is in the file.
    expect(verdicts.thresholds[0].byConfiguration[0].measured.value).toBeGreaterThan(50);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('## Thresholds');
  });

  it('refuses a bad scenario with exit 2 and names every problem', async () => {
    const file = path.join(tmp, 'bad.yaml');
    await writeFile(file, 'name: x\ntargets: []\nload: { steps: { rates: [0] }, bogus: 1 }\n');
    const r = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'bad')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('targets: at least one target is needed');
    expect(r.stderr).toContain("load: unknown key 'bogus'");
    expect(r.stderr).toContain('load.steps.rates[0]');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for an expected failure
  });

  it('refuses a non-loopback url: target unless allowed', async () => {
    const file = path.join(tmp, 'remote.yaml');
    await writeFile(file, scenario([['far', 'http://192.0.2.10:8000']]));
    const r = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'remote')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/loopback/);
  });

  it('detects an unwritable results directory before measuring anything', async () => {
    const file = path.join(tmp, 'ro.yaml');
    await writeFile(file, scenario([['fast', fast.url]]));
    // A path under a regular file cannot be created, even by root (directory modes do not stop root).
    await writeFile(path.join(tmp, 'blocker'), 'a file, not a directory');
    const out = path.join(tmp, 'blocker', 'out');
    const before = fast.requests;
    const r = await httpbench(['run', '--scenario', file, '--out', out]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(out);
    expect(r.stderr).toContain('hint:');
    expect(fast.requests).toBe(before);
  });

  it('on SIGTERM mid-step exits 143 and leaves an interrupted run.json with the completed steps', async () => {
    const file = path.join(tmp, 'long.yaml');
    await writeFile(file, scenario([['fast', fast.url]]).replace('rates: [100, 200], durationS: 1', 'rates: [100, 200, 300], durationS: 3'));
    const out = path.join(tmp, 'interrupted');
    const child = httpbench(['run', '--scenario', file, '--out', out]);
    // Wait until the first rate step has been saved, then interrupt the second.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const doc = await readDoc(out).catch(() => null);
      if (doc && (doc.targets[0]?.steps.length ?? 0) >= 2) break;
      if (Date.now() > deadline) throw new Error('run never saved its first rate step');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, `signal ${r.signal}; ${r.all}`).toBe(143);
    const doc = await readDoc(out);
    expect(doc.status).toBe('interrupted');
    expect(doc.targets[0]!.status).toBe('interrupted');
    expect(doc.targets[0]!.steps.map((s) => s.offeredRps)).toEqual([null, 100]);
    await readFile(path.join(out, 'report.md'), 'utf8');
  });
});
