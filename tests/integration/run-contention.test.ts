/**
 * Issue 23, contention detection, through the real CLI against a fake url: target on port 0, the
 * generator pinned to CPU 0: a CPU hog pinned to the same CPU (a child that busy-loops and stops by
 * itself, killed in finally) during part of the run marks exactly the steps it reached, and the run
 * warns before its first step when the hog is already there. This test process (the fake server)
 * is kept on CPU 1 while it runs, so the only stranger on CPU 0 is the hog.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENDED_PERCENT, stepContention } from '../../src/analysis/contention.ts';
import { httpbench } from '../helpers/cli.ts';
import { startFakeUsers, type FakeUsers } from '../helpers/fake-users.ts';
import { readDoc } from '../helpers/run-doc.ts';

let tmp: string;
let fake: FakeUsers;
const cpuCount = os.cpus().length;

function scenario(rates: number[], durationS: number, maxS: number): string {
  return `name: contention
targets:
  - { name: fast, url: "${fake.url}" }
resources: { cpus: 1, targetCpuset: "1", generatorCpuset: "0" }
load:
  warmupS: 0
  connections: 4
  timeoutMs: 1000
  max: { durationS: ${maxS}, connections: 2 }
  steps: { rates: [${rates.join(', ')}], durationS: ${durationS}, stopAtSaturation: false }
  knee: { refineSteps: 0 }
slo: { p99Ms: 1000, errorRate: 1 }
`;
}

/** A busy loop pinned to `cpu` that ends by itself after `ms`. */
function hog(cpu: number, ms: number): ResultPromise {
  return execa('taskset', ['-c', String(cpu), process.execPath, '-e', `const end = Date.now() + ${ms}; while (Date.now() < end) {}`], { reject: false, timeout: ms + 10_000 });
}

/** Keeps this process (the fake server's) on `cpuset` while `fn` runs; every CPU again after. */
async function pinnedSelf<T>(cpuset: string, fn: () => Promise<T>): Promise<T> {
  await execa('taskset', ['-a', '-p', '-c', cpuset, String(process.pid)]);
  try {
    return await fn();
  } finally {
    await execa('taskset', ['-a', '-p', '-c', `0-${cpuCount - 1}`, String(process.pid)]);
  }
}

interface StepLine {
  text: string;
  atMs: number;
  contended: boolean;
}

beforeAll(async () => {
  // The split below needs CPUs 0 and 1 (this project's machines have at least two).
  expect(cpuCount).toBeGreaterThanOrEqual(2);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-contention-'));
  fake = await startFakeUsers({ delayMs: 0 });
});
afterAll(async () => {
  await fake?.close();
});

describe('contention detection with a CPU hog on the generator CPU', () => {
  it('marks the steps the hog reached and not those before or after it', async () => {
    const file = path.join(tmp, 'mid.yaml');
    await writeFile(file, scenario([100, 120, 140, 160, 180, 200, 220], 1, 1));
    const out = path.join(tmp, 'mid');
    const lines: StepLine[] = [];
    let hogProcess: ResultPromise | null = null;
    let hogStart = 0;
    let hogEnd = Number.POSITIVE_INFINITY;
    let hogPid: number | undefined;
    const t0 = performance.now();
    await pinnedSelf('1', async () => {
      try {
        const run = httpbench(['run', '--scenario', file, '--out', out]);
        let pending = '';
        run.all!.on('data', (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const text = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (!/\] (max|rate|knee) .*: achieved/.test(text)) continue;
            lines.push({ text, atMs: performance.now() - t0, contended: text.includes('[contended: ') });
            // After the closed-loop step and the first rate: 2.5 s of hog, about two 1-s steps.
            if (lines.length === 2 && hogProcess === null) {
              hogStart = performance.now() - t0;
              hogProcess = hog(0, 2500);
              hogPid = hogProcess.pid;
              void hogProcess.then(() => {
                hogEnd = performance.now() - t0;
              });
            }
          }
        });
        const r = await run;
        expect(r.exitCode, r.all).toBe(0);
      } finally {
        (hogProcess as ResultPromise | null)?.kill('SIGKILL');
        await hogProcess;
      }
    });
    const doc = await readDoc(out);
    const steps = doc.targets.flatMap((t) => [...t.steps, ...(t.retriedSteps ?? [])]);
    expect(steps.length).toBe(lines.length);
    expect(steps.every((s) => s.contention !== undefined && s.contention.generatorCpus === '0' && s.contention.targetCpus === '1')).toBe(true);
    // A url: target's own CPU is unknown: the targets' side is not judged.
    expect(steps.every((s) => s.contention!.targetCpusOtherPercent === null)).toBe(true);
    // Window of a step ≈ [logged − interval, logged]; inside the hog (after it started spinning) → marked.
    const windows = lines.map((l, i) => ({ ...l, fromMs: l.atMs - 1000 - 100, index: i }));
    const inside = windows.filter((w) => w.fromMs >= hogStart + 150 && w.atMs <= hogEnd);
    const outside = windows.filter((w) => w.atMs < hogStart || w.fromMs > hogEnd + 100);
    expect(inside.length, JSON.stringify({ hogStart, hogEnd, windows })).toBeGreaterThanOrEqual(1);
    // At least the closed-loop step and the first rate ran before it; the sweep may end under the hog
    // (a generator-bound step measured twice at capacity ends it), so steps after it are not required.
    expect(outside.length).toBeGreaterThanOrEqual(2);
    for (const w of inside) expect(w.contended, w.text).toBe(true);
    for (const w of outside) expect(w.contended, w.text).toBe(false);
    // The figures behind the marks: a hog on a core we busy-poll takes a large share of it.
    const marked = steps.filter((s) => stepContention(s) !== null);
    expect(marked.length).toBe(lines.filter((l) => l.contended).length);
    expect(Math.max(...marked.map((s) => s.contention!.generatorCpusOtherPercent))).toBeGreaterThanOrEqual(30);
    // Each mark names its cause: the hog (taskset execs node, same pid) among the busiest, by pid and name.
    for (const w of inside) expect(w.text, w.text).toMatch(/\(busiest other processes: .*node \d/);
    const named = marked.flatMap((s) => s.contention!.busiest ?? []).filter((p) => p.pid === hogPid);
    expect(named.length, JSON.stringify(marked.map((s) => s.contention))).toBeGreaterThanOrEqual(1);
    expect(Math.max(...named.map((p) => p.cpuPercent))).toBeGreaterThanOrEqual(30);
    expect(named.every((p) => p.command === 'node')).toBe(true);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('Not quiet: ');
    expect(report).toContain("of the generator's CPU 0");
  }, 120_000);

  it('warns before the first step when the machine is already busy, and marks the steps', async () => {
    const file = path.join(tmp, 'busy.yaml');
    await writeFile(file, scenario([100, 150], 0.5, 0.5));
    const out = path.join(tmp, 'busy');
    // Longer than the run (start-up, the 1-s check, three short steps); ended by the test at the latest.
    const h = hog(0, 20_000);
    try {
      const r = await pinnedSelf('1', () => httpbench(['run', '--scenario', file, '--out', out]));
      expect(r.exitCode, r.all).toBe(0);
      const warning = r.stderr.split('\n').filter((l) => l.startsWith('warning: the machine is not quiet before the first step'));
      expect(warning, r.stderr).toHaveLength(1);
      expect(warning[0]).toContain("of the generator's CPU 0");
      const doc = await readDoc(out);
      expect(doc.targets[0]!.steps.length).toBeGreaterThanOrEqual(3);
      for (const s of doc.targets[0]!.steps) expect(s.contention!.generatorCpusOtherPercent).toBeGreaterThan(CONTENDED_PERCENT);
      expect(r.stdout).toMatch(/not quiet: \d+ of \d+ steps contended/);
    } finally {
      h.kill('SIGKILL');
      await h;
    }
  }, 120_000);
});
