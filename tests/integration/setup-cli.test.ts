/**
 * `httpbench setup --check` through bin/httpbench.js on this machine: after the README's test line has
 * run `setup --for-tests` (as .ci/run does), every step is done and nothing is changed.
 */
import { describe, expect, it } from 'vitest';
import { httpbench } from '../helpers/cli.ts';

describe('httpbench setup --check --for-tests', () => {
  it('reports every step done, one line each, and exits 0', async () => {
    const r = await httpbench(['setup', '--check', '--for-tests'], { timeoutMs: 60_000 });
    expect(r.exitCode, r.all).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.map((l) => /^setup: \[(\w+)\] ([^:]+):/.exec(l)?.slice(1))).toEqual([
      ['ok', 'Docker engine'],
      ['ok', 'taskset'],
      ['ok', 'base images'],
      ['ok', 'Chromium'],
      ['ok', 'Python 3 with venv'],
      ['ok', 'PostgreSQL'],
      ['ok', 'Go ≥ 1.24'],
      ['ok', 'two-host rig'],
      ['ok', 'target images'],
      undefined,
    ]);
    expect(lines.at(-1)).toBe('setup: ready: npm test has what it needs');
  });
});
