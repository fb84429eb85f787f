/**
 * Issue #23, defects 4, 6, 7 and 9 through the real CLI: FIFOs and /proc paths as inputs and outputs
 * are refused at once (exit 2, never a hang), reports go beside the run.json that was read, an
 * output that is an input is refused, and `--threshold` before the positionals leaves them alone.
 * Every child has a 60 s timeout; a refusal must come well before it (asserted below 20 s).
 */
import { execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunDocument } from '../helpers/compare-fixtures.ts';
import { BIN, httpbench, ROOT } from '../helpers/cli.ts';

let tmp: string;
let base: string;
let cand: string;
const env = { GITHUB_STEP_SUMMARY: '' };
/** A refusal is immediate; a hang would reach the 60 s timeout. */
const PROMPT_MS = 20_000;

async function timed(args: string[], extraEnv: Record<string, string> = {}) {
  const started = Date.now();
  const r = await httpbench(args, { timeoutMs: 60_000, env: { ...env, ...extraEnv } });
  return { ...r, ms: Date.now() - started };
}

function fifo(name: string): string {
  const p = path.join(tmp, name);
  execFileSync('mkfifo', [p]);
  return p;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-special-'));
  for (const [name, seed] of [['base', 1], ['cand', 2]] as const) {
    await mkdir(path.join(tmp, name));
    await writeFile(path.join(tmp, name, 'run.json'), JSON.stringify(buildRunDocument({ seed, repetitions: 1 })));
  }
  base = path.join(tmp, 'base');
  cand = path.join(tmp, 'cand');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('#23 defect 4: FIFOs and /proc, read or written, never hang', () => {
  it('report of a run.json that is a FIFO: exit 2 at once', async () => {
    const dir = path.join(tmp, 'fifo-run');
    await mkdir(dir);
    fifo('fifo-run/run.json');
    const r = await timed(['report', dir]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain('is a FIFO, not a regular file');
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it('compare --thresholds FIFO, --junit/--bmf/--markdown FIFO and GITHUB_STEP_SUMMARY FIFO: exit 2 at once', async () => {
    const cases: Array<[string[], Record<string, string>]> = [
      [['--thresholds', fifo('th.fifo')], {}],
      [['--junit', fifo('junit.fifo')], {}],
      [['--bmf', fifo('bmf.fifo')], {}],
      [['--markdown', fifo('md.fifo')], {}],
      [[], { GITHUB_STEP_SUMMARY: fifo('summary.fifo') }],
    ];
    // One at a time: each is timed, and five CLIs at once on two CPUs would measure the machine.
    for (const [flags, e] of cases) {
      const r = await timed(['compare', base, cand, ...flags], e);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(/is a FIFO, not a regular file/);
      expect(r.ms).toBeLessThan(PROMPT_MS);
    }
  });

  it('compare --markdown /proc/nonexistent/x.md: exit 2 at once, not a spinning mkdir', async () => {
    const r = await timed(['compare', base, cand, '--markdown', '/proc/nonexistent/x.md']);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain('is on a special file system (proc)');
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });
});

describe('#23 defect 6: reports go beside the run.json that was read', () => {
  it('report DIR/run.json.orig writes into DIR; report X.json/ (a directory) writes inside it', async () => {
    const orig = path.join(tmp, 'orig');
    await mkdir(orig);
    await writeFile(path.join(orig, 'run.json.orig'), await readFile(path.join(base, 'run.json')));
    const a = await timed(['report', path.join(orig, 'run.json.orig')]);
    expect(a.exitCode, a.all).toBe(0);
    expect((await readdir(orig)).sort()).toEqual(['report.html', 'report.md', 'run.json.orig', 'verdicts.json']);

    const dirJson = path.join(tmp, 'parent', 'X.json');
    await mkdir(dirJson, { recursive: true });
    await writeFile(path.join(dirJson, 'run.json'), await readFile(path.join(base, 'run.json')));
    const b = await timed(['report', dirJson]);
    expect(b.exitCode, b.all).toBe(0);
    expect((await readdir(dirJson)).sort()).toEqual(['report.html', 'report.md', 'run.json', 'verdicts.json']);
    expect(await readdir(path.join(tmp, 'parent'))).toEqual(['X.json']);
  });

  it('report /dev/stdin (a file on stdin): exit 2 naming the special file system, no stack trace', async () => {
    // A file descriptor, not a pipe: stdin is then the regular file itself, as with `< run.json`.
    const child = spawn('node', [BIN, 'report', '/dev/stdin'], { cwd: ROOT, stdio: [openSync(path.join(base, 'run.json'), 'r'), 'ignore', 'pipe'], env: { ...process.env, HTTPBENCH_DEBUG: '' }, timeout: 60_000 });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const r = { exitCode, stderr };
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('on a special file system');
    expect(r.stderr).not.toContain('    at ');
  });
});

describe('#23 defect 7: an output path that is an input is refused', () => {
  it('compare --junit BASE/run.json: exit 2 and the baseline is unchanged', async () => {
    const before = await readFile(path.join(base, 'run.json'), 'utf8');
    for (const flags of [['--junit', path.join(base, 'run.json')], ['--bmf', path.join(cand, '.', 'run.json')], ['--markdown', `${cand}/../cand/run.json`]]) {
      const r = await timed(['compare', base, cand, ...flags]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(/is the same file as (baseline|candidate)/);
    }
    const summary = await timed(['compare', base, cand], { GITHUB_STEP_SUMMARY: path.join(base, 'run.json') });
    expect(summary.exitCode, summary.all).toBe(2);
    expect(await readFile(path.join(base, 'run.json'), 'utf8')).toBe(before);
  });
});

describe('#23 defect 9: --threshold', () => {
  it('before the positionals does not swallow them', async () => {
    const r = await timed(['compare', '--threshold', 'p99=15', base, cand, '--json']);
    expect(r.exitCode, r.all).not.toBe(2);
    expect(JSON.parse(r.stdout).groups.length).toBeGreaterThan(0);
  });
});
