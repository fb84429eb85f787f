/**
 * `httpbench ab` on real containers: two env-override variants of the same commit (EXTRA_WAIT_US=0
 * against a 20 ms wait per request) measured in one job must exit 1 with the regression named (the
 * candidate saturates at 500 req/s: 8 connections × 1/20 ms = 400 req/s at most), write
 * ab.json, JUnit and Markdown, and leave no container and no git worktree behind; an image that does
 * not exist is exit 2 in one line.
 */
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbDocumentSchema } from '../../src/ab/schema.ts';
import { PID_LABEL } from '../../src/targets/types.ts';
import { httpbench, ROOT } from '../helpers/cli.ts';

async function containersOf(pid: number | undefined): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--filter', `label=${PID_LABEL}=${pid}`, '--format', '{{.ID}}']);
  return r.stdout.split('\n').filter(Boolean);
}

async function abWorktrees(): Promise<string[]> {
  const r = await execa('git', ['-C', ROOT, 'worktree', 'list', '--porcelain']);
  return r.stdout.split('\n').filter((l) => l.startsWith('worktree ') && l.includes('httpbench-ab-'));
}

describe('httpbench ab with real containers', () => {
  it('EXTRA_WAIT_US=0 vs 20 ms: exit 1, the regression named, nothing left behind', { timeout: 600_000 }, async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'httpbench-ab-e2e-'));
    const r = httpbench(
      [
        'ab', '--baseline', 'HEAD', '--candidate', 'HEAD', '--baseline-env', 'EXTRA_WAIT_US=0', '--candidate-env', 'EXTRA_WAIT_US=20000',
        '--targets', 'go-chi', '--trials', '6', '--step-s', '1', '--warmup-s', '1',
        '--out', out, '--junit', path.join(out, 'junit.xml'), '--markdown', path.join(out, 'summary.md'), '--no-step-summary',
      ],
      { timeoutMs: 600_000 },
    );
    const done = await r;
    expect(done.exitCode, done.all).toBe(1);
    const doc = AbDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'ab.json'), 'utf8')));
    expect(doc.status).toBe('completed');
    expect(doc.baseline.commit).toBe(doc.candidate.commit);
    expect(doc.candidate.env).toEqual({ EXTRA_WAIT_US: '20000' });
    expect(doc.baseline.images['go-chi']!.tag).toMatch(/^httpbench\/go-chi:ab-[0-9a-f]{12}$/);
    expect(doc.trials).toHaveLength(6);
    expect(doc.result!.outcome).toBe('regression');
    // 8 connections each waiting 20 ms cannot carry 500 req/s (at most 400): the candidate saturates
    // there in every trial, the baseline in none — a regression whatever the latency rows say.
    const sat = doc.result!.groups[0]!.metrics.find((m) => m.id === 'rate-500/saturation')!;
    expect(sat.verdict, sat.reason).toBe('regression');
    expect(doc.result!.reasons.join('\n')).toContain('saturation at 500 req/s');
    expect(done.stdout).toContain('httpbench ab — REGRESSION');
    expect(await readFile(path.join(out, 'junit.xml'), 'utf8')).toContain('<failure type="regression"');
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toContain('## httpbench ab: REGRESSION');
    expect(await containersOf(r.pid)).toEqual([]);
    expect(await abWorktrees()).toEqual([]);
  });

  it('SIGINT during the trials: exit 130, ab.json interrupted with the pairs so far, no container or worktree left', { timeout: 600_000 }, async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'httpbench-ab-e2e-'));
    const child = httpbench(['ab', '--baseline', 'HEAD', '--candidate', 'HEAD', '--targets', 'go-chi', '--trials', '8', '--step-s', '1', '--warmup-s', '1', '--out', out, '--no-step-summary'], { timeoutMs: 600_000 });
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/pair 1\/8/.test(seen)) resolve();
      });
      void child.then(() => resolve());
    });
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode, done.all).toBe(130);
    const doc = AbDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'ab.json'), 'utf8')));
    expect(doc.status).toBe('interrupted');
    expect(doc.trials.length).toBeGreaterThanOrEqual(1);
    expect(doc.result).toBeNull();
    expect(await containersOf(child.pid)).toEqual([]);
    expect(await abWorktrees()).toEqual([]);
  });

  it('an image that does not exist is exit 2, one line', { timeout: 120_000 }, async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'httpbench-ab-e2e-'));
    const r = await httpbench(['ab', '--baseline', 'image:httpbench/no-such-image:nope', '--candidate', 'HEAD', '--targets', 'go-chi', '--out', out]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain('--baseline image:httpbench/no-such-image:nope: no image httpbench/no-such-image:nope on this Docker engine');
    expect(await abWorktrees()).toEqual([]);
  });
});
