/**
 * `httpbench ab` bad input, through the real CLI: every mistake the flags alone can make is one
 * line and exit 2, before anything is built or started (no Docker needed to get there).
 */
import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpbench } from '../helpers/cli.ts';

const run = (args: string[]) => httpbench(['ab', '--targets', 'go-chi', ...args]);

/** The message is one line (plus at most a hint), never a stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('hint: '));
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('httpbench ab: bad input is exit 2, one line', () => {
  it('an unknown git ref', async () => {
    const r = await run(['--baseline', 'no-such-branch-xyz', '--candidate', 'HEAD']);
    expect(r.exitCode, r.all).toBe(2);
    expect(oneLine(r.stderr)).toContain('--baseline no-such-branch-xyz: not a commit of this repository');
  });

  it('a ref that looks like an option, and a bad image reference', async () => {
    const opt = await run(['--baseline', 'HEAD', '--candidate=--output=x']);
    expect(opt.exitCode, opt.all).toBe(2);
    expect(oneLine(opt.stderr)).toContain('is not a git ref or image:NAME');
    const img = await run(['--baseline', 'HEAD', '--candidate', 'image:has space']);
    expect(img.exitCode, img.all).toBe(2);
    expect(oneLine(img.stderr)).toContain('is not a Docker image reference');
  });

  it('env overrides that are not K=V, that the harness owns, or that the target does not read', async () => {
    const notKv = await run(['--baseline', 'HEAD', '--candidate', 'HEAD', '--candidate-env', 'EXTRA_WAIT_US']);
    expect(notKv.exitCode, notKv.all).toBe(2);
    expect(oneLine(notKv.stderr)).toContain('--candidate-env "EXTRA_WAIT_US" is not K=V');
    const port = await run(['--baseline', 'HEAD', '--candidate', 'HEAD', '--baseline-env', 'PORT=1']);
    expect(port.exitCode, port.all).toBe(2);
    expect(oneLine(port.stderr)).toContain('--baseline-env PORT: the harness sets PORT itself');
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'httpbench-ab-cli-')), 'out');
    const unknown = await run(['--baseline', 'HEAD', '--candidate', 'HEAD', '--candidate-env', 'WORKERS=2', '--out', out]);
    expect(unknown.exitCode, unknown.all).toBe(2);
    expect(oneLine(unknown.stderr)).toContain('--candidate-env WORKERS: go-chi does not read WORKERS');
  });

  it('too few trials for an interval, too many for the time bound, and an unknown threshold', async () => {
    const few = await run(['--baseline', 'HEAD', '--candidate', 'HEAD', '--trials', '3']);
    expect(few.exitCode, few.all).toBe(2);
    expect(oneLine(few.stderr)).toContain('--trials 3: give a whole number from 6 to 200');
    const many = await run(['--baseline', 'HEAD', '--candidate', 'HEAD', '--trials', '201']);
    expect(many.exitCode, many.all).toBe(2);
    expect(oneLine(many.stderr)).toContain('--trials 201: give a whole number from 6 to 200');
    const thr = await run(['--baseline', 'HEAD', '--candidate', 'HEAD', '--threshold', 'p42=5']);
    expect(thr.exitCode, thr.all).toBe(2);
    expect(oneLine(thr.stderr)).toContain('--threshold "p42=5"');
  });

  it('a scenario with rates: auto', async () => {
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'httpbench-ab-cli-')), 'out');
    const r = await httpbench(['ab', '--baseline', 'HEAD', '--candidate', 'HEAD', '--scenario', 'scenarios/article.yaml', '--targets', 'go-chi', '--out', out]);
    expect(r.exitCode, r.all).toBe(2);
    expect(oneLine(r.stderr)).toContain('ab needs fixed rates (load.steps.rates is auto)');
    // Nothing half-made is left: the results directory holds no ab.json.
    await expect(stat(path.join(out, 'ab.json'))).rejects.toThrow();
  });
});
