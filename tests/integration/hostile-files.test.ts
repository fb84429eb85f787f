/**
 * Hand-edited and hostile files through the real CLI: `report` refuses a run.json whose figures
 * contradict each other (exit 2, naming the field), escapes ANSI sequences from a run.json before they
 * reach the terminal, and `run` turns a YAML alias bomb into exit 2 with a message, not a stack trace.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../../src/schema/run.ts';
import { httpbench, ROOT } from '../helpers/cli.ts';
import { histogramFor, makeDoc, makeStep, makeTarget, percentiles } from '../helpers/sample-run.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-hostile-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function consistentDoc(reason: string | null = null): RunDocument {
  const p = percentiles(1000, 2000, 3000, 100);
  const encoded = histogramFor(p);
  const step = makeStep({ achievedRps: 20, sent: 100, uncorrected: p, corrected: p, histograms: { uncorrected: encoded, corrected: encoded, lateness: null, intervalLog: null } });
  return makeDoc([
    makeTarget({ name: 'go-chi', configuration: 'default', steps: [step] }),
    makeTarget({ name: 'fastapi', configuration: 'default', status: 'failed', reason, steps: [] }),
  ]);
}

async function runDir(name: string, doc: unknown): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(doc));
  return dir;
}

describe('hostile files through the CLI', () => {
  it('report: completed = 10 × sent is exit 2 naming the field, no stack trace', async () => {
    const doc = consistentDoc();
    doc.targets[0]!.steps[0]!.counts.completed = 1000;
    const r = await httpbench(['report', await runDir('inconsistent', doc)], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('figures contradict each other (1 problem)');
    expect(r.stderr).toContain('targets[0].steps[0].counts.completed: 1000 is more than sent (100)');
    expect(r.stderr).not.toContain('    at ');
  });

  it('report: ANSI escapes in a hand-edited run.json are printed escaped, never raw', async () => {
    const r = await httpbench(['report', await runDir('ansi', consistentDoc('crashed \u001b[2J\u001b]0;pwned\u0007 \u009b31m'))], { timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('crashed \\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m');
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
  });

  it('run: a YAML alias bomb is exit 2 with a message, no stack trace', async () => {
    const r = await httpbench(['run', '--scenario', path.join(ROOT, 'tests', 'fixtures', 'bad', 'alias-bomb.yaml'), '--out', path.join(tmp, 'bomb')], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot be expanded: Excessive alias count');
    expect(r.stderr).not.toContain('    at ');
  });

  it('#23 defect 2: a usage error quoting an argument with an escape prints it escaped', async () => {
    const r = await httpbench(['report', 'a', 'b\u001b]0;pwned\u0007\u001b[2J'], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('b\\x1b]0;pwned\\x07\\x1b[2J');
    expect(r.stderr).not.toMatch(/[\u001b\u0007]/);
  });

  it('#23 defect 10: 150,000 bad rates or 7,000 bad claims print at most 10 problems, counted', async () => {
    const scenario = (extra: string) => `name: s\ntargets: [{ name: a, url: "http://127.0.0.1:1/" }]\n${extra}\n`;
    const rates = path.join(tmp, 'rates.yaml');
    await writeFile(rates, scenario(`load: { steps: { rates: [${Array.from({ length: 150_000 }, () => '-1').join(',')}] } }`));
    const claimsFile = path.join(tmp, 'claims.yaml');
    const claim = '  - { id: dup, quote: q, articleFigure: f, metric: { kind: coldStartMs, target: a }, rule: { op: between, min: 2, max: 1 } }';
    await writeFile(claimsFile, `claims:\n${Array.from({ length: 7_000 }, () => claim).join('\n')}\n`);
    const claims = path.join(tmp, 'with-claims.yaml');
    await writeFile(claims, scenario(`load: { steps: { rates: [100] } }\nclaims: ${claimsFile}`));
    // 7,000 claims × (duplicate id, bad range, and no `reading:` — the claims file's reading rule, #24) − 1 first id
    for (const [file, count] of [[rates, '150000 problem(s)'], [claims, '20999 problems']] as const) {
      const r = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'out-cap')], { timeoutMs: 60_000 });
      expect(r.exitCode, r.stderr.slice(0, 2000)).toBe(2);
      expect(r.stderr).toContain(count);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(11);
      expect(r.stderr).toMatch(/… and \d+ more/);
      expect(r.stderr.length).toBeLessThan(10_000);
    }
  });
});
