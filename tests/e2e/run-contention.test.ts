/**
 * Issue 23 on real containers: `httpbench run --quick` while a CPU hog (a busy loop that stops by
 * itself, killed in finally) holds the generator's CPU. The run warns before its first step, every
 * step is marked contended with its figure, the headline says the machine was not quiet, and no
 * verdict resting on a step is decided.
 */
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENDED_PERCENT, stepContention } from '../../src/analysis/contention.ts';
import { VerdictsDocumentSchema } from '../../src/schema/verdicts.ts';
import { httpbench } from '../helpers/cli.ts';
import { harnessContainers } from '../helpers/docker.ts';
import { readDoc } from '../helpers/run-doc.ts';

describe('httpbench run --quick with a CPU hog on the generator CPU (real containers)', () => {
  it('marks every step, says so in the headline and decides no verdict that rests on a step', { timeout: 600_000 }, async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'httpbench-contended-'));
    // --quick puts the targets on the last CPU and the generator on the others; the hog takes CPU 0.
    const hog = execa('taskset', ['-c', '0', process.execPath, '-e', 'const end = Date.now() + 300_000; while (Date.now() < end) {}'], { reject: false });
    let r;
    try {
      // Its own image tag: the images other runs measure are never replaced (cached layers: no rebuild).
      r = await httpbench(['run', '--quick', '--image-tag', 'contention-e2e', '--out', out], { timeoutMs: 600_000 });
    } finally {
      hog.kill('SIGKILL');
      await hog;
    }
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stderr).toContain('warning: the machine is not quiet before the first step');
    const doc = await readDoc(out);
    expect(doc.environment.cpusets.generator).toMatch(/^0\b/);
    const steps = doc.targets.flatMap((t) => t.steps);
    expect(steps.length).toBeGreaterThanOrEqual(6);
    for (const s of steps) {
      expect(s.contention!.generatorCpusOtherPercent).toBeGreaterThan(CONTENDED_PERCENT);
      expect(stepContention(s)).toContain("of the generator's CPU");
      // The containers' own CPU is taken out on the targets' side: the hog is not there.
      expect(s.contention!.targetCpusOtherPercent).not.toBeNull();
    }
    for (const s of doc.calibration?.steps ?? []) expect(s.contention!.generatorCpusOtherPercent).toBeGreaterThan(CONTENDED_PERCENT);
    expect(r.stdout).toMatch(/not quiet: \d+ of \d+ steps contended/);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('Not quiet: ');
    const verdicts = VerdictsDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'verdicts.json'), 'utf8')));
    const stepKinds = new Set(['maxThroughputRps', 'throughputRatio', 'latencyAtRateMs', 'latencyAtCapacityMs']);
    const claimsById = new Map((doc.claims ?? []).map((c) => [c.id, c]));
    const resting = verdicts.claims.filter((c) => stepKinds.has(claimsById.get(c.id)!.metric.kind));
    expect(resting.length).toBeGreaterThan(0);
    for (const c of resting) expect(c.verdict, `${c.id}: ${c.reason}`).toBe('inconclusive');
    expect(resting.some((c) => c.reason.includes('was contended'))).toBe(true);
    expect(await harnessContainers()).toEqual([]);
  });
});
