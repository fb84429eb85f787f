/**
 * `httpbench report DIR` as CI uses it: verdicts.json written beside the reports and valid against
 * its JSON Schema, `--json` prints the same document, a failing threshold exits 1 naming it,
 * `--fail-on refuted` gates on claim verdicts, and a bad --fail-on is exit 2.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { verdictsJsonSchema } from '../../src/schema/verdicts.ts';
import { ThresholdSchema } from '../../src/scenario/schema.ts';
import type { RunDocument } from '../../src/schema/run.ts';
import { httpbench } from '../helpers/cli.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { ClaimSchema } from '../../src/schema/claims.ts';

let tmp: string;

async function runDir(name: string, thresholds: object[], extraClaims: object[] = []): Promise<string> {
  const doc: RunDocument = sampleRun();
  doc.claims = [...(doc.claims ?? []), ...extraClaims.map((c) => ClaimSchema.parse(c))];
  doc.scenario.thresholds = thresholds.map((t) => ThresholdSchema.parse(t));
  const dir = path.join(tmp, name);
  await mkdir(dir);
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(doc));
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-report-cli-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('httpbench report: verdicts as data and gates', () => {
  it('exits 1 naming a failed threshold, writes a valid verdicts.json, and --json prints the same', async () => {
    const dir = await runDir('failing', [
      { target: 'go-chi', metric: 'p99Ms', atRps: 10000, op: '<', value: 2 },
      { name: 'python-max', target: 'fastapi', metric: 'maxRps', op: '>', value: 50000 },
    ]);
    const r = await httpbench(['report', dir]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain('httpbench: gate failed: 1 problem');
    expect(r.stderr).toContain('threshold FAILED: python-max (fastapi max throughput > 50,000 req/s)');
    // The headline leads the terminal summary; the thresholds table follows the claims.
    expect(r.stdout.indexOf('Target/configuration')).toBeLessThan(r.stdout.indexOf('Claims —'));
    expect(r.stdout).toContain('Thresholds — 2 thresholds: 1 pass, 1 fail, 0 not measured');

    const written = await readFile(path.join(dir, 'verdicts.json'), 'utf8');
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(verdictsJsonSchema());
    expect(validate(JSON.parse(written)), JSON.stringify(validate.errors)).toBe(true);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain('| FAIL | python-max: fastapi max throughput > 50,000 req/s |');

    const json = await httpbench(['report', dir, '--json']);
    expect(json.exitCode).toBe(1);
    expect(json.stdout).toBe(written.trimEnd());
  });

  it('exits 0 when every threshold passes, and 1 with --fail-on refuted when a claim is refuted', async () => {
    // The synthetic sample's own claims are confirmed or open under the ±25 % reading: one that its
    // 7.3 MB Go image plainly fails is added, so the gate has a refuted claim to act on.
    const tiny = { id: 'go-image-under-1mb', quote: 'q', articleFigure: '< 1 MB', metric: { kind: 'imageSizeMB', target: 'go-chi' }, rule: { op: 'lt', value: 1 }, reading: { wording: 'bound' } };
    const dir = await runDir('passing', [{ target: 'go-chi', metric: 'imageSizeMB', op: '<', value: 10 }], [tiny]);
    const ok = await httpbench(['report', dir, '--json']);
    expect(ok.exitCode, ok.all).toBe(0);
    const verdicts = JSON.parse(ok.stdout);
    expect(verdicts.summary.thresholds).toEqual({ pass: 1, fail: 0, notMeasured: 0 });
    expect(verdicts.summary.claims.refuted).toBeGreaterThan(0);

    const gated = await httpbench(['report', dir, '--json', '--fail-on', 'refuted']);
    expect(gated.exitCode).toBe(1);
    expect(gated.stderr).toMatch(/claim REFUTED: /);
    const bad = await httpbench(['report', dir, '--fail-on', 'wrong']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--fail-on: unknown verdict(s) wrong');
  });
});
