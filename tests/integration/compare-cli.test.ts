/**
 * `httpbench compare` through the real CLI (node bin/httpbench.js) on run.json files built by the
 * synthetic fixture builder: exit codes 0/1/2/3, the table, JUnit and BMF files, the step summary.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { BMF_JSON_SCHEMA, buildRunDocument, checkJunitStructure, hostileCandidate, type FixtureOptions } from '../helpers/compare-fixtures.ts';
import { httpbench } from '../helpers/cli.ts';

let tmp: string;
// GITHUB_STEP_SUMMARY is blanked so a CI runner's own summary is never written by these tests.
const env = { GITHUB_STEP_SUMMARY: '' };
const compare = (args: string[], extraEnv: Record<string, string> = {}) => httpbench(['compare', ...args], { env: { ...env, ...extraEnv } });

async function runDir(name: string, options: FixtureOptions): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(buildRunDocument(options), null, 2));
  return dir;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-compare-'));
});

describe('httpbench compare', () => {
  it('a 30 % slower candidate is a regression: exit 1, table, JUnit failures, valid BMF', async () => {
    const base = await runDir('base', { seed: 1, repetitions: 5 });
    const slow = await runDir('slow', { seed: 2, repetitions: 5, throughputFactor: 0.7, latencyFactor: 1.3 });
    const junit = path.join(tmp, 'out', 'junit.xml');
    const bmf = path.join(tmp, 'out', 'bmf.json');
    const r = await compare([base, path.join(slow, 'run.json'), '--junit', junit, '--bmf', bmf]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toMatch(/REGRESSION: \d+ regressed/);
    expect(r.stdout).toMatch(/max throughput .*-3\d\.\d %.*U test.*✗ regressed/);
    expect(r.stdout).toMatch(/p99 @ 200 rps .*\+\d\d\.\d %.*U test.*✗ regressed/);

    const j = checkJunitStructure(await readFile(junit, 'utf8'));
    expect(j.suites).toBe(2);
    expect(j.failures).toEqual(expect.arrayContaining(['fastapi/1-worker :: max throughput', 'go-chi/default :: p50 @ 500 rps']));

    const doc = JSON.parse(await readFile(bmf, 'utf8'));
    const validate = new Ajv().compile(BMF_JSON_SCHEMA);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc['ci/fastapi/1-worker/max'].throughput.value).toBeLessThan(0.8 * 2400);
  });

  it('five runs of the same distribution: no regression in any of the 10 pairs (exit 0)', async () => {
    const dirs = await Promise.all([21, 22, 23, 24, 25].map((seed) => runDir(`same-${seed}`, { seed, repetitions: 5 })));
    const pairs = dirs.flatMap((a, i) => dirs.slice(i + 1).map((b) => [a, b] as const));
    expect(pairs).toHaveLength(10);
    const results = await Promise.all(pairs.map(([a, b]) => compare([a, b, '--json'])));
    for (const r of results) {
      expect(r.exitCode, r.all).toBe(0);
      const c = JSON.parse(r.stdout);
      expect(c.hasRegression).toBe(false);
      expect(c.counts.regressed).toBe(0);
    }
  });

  it('appends Markdown to $GITHUB_STEP_SUMMARY when set', async () => {
    const a = await runDir('sum-a', { seed: 31, repetitions: 2 });
    const b = await runDir('sum-b', { seed: 32, repetitions: 2 });
    const summary = path.join(tmp, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const r = await compare([a, b], { GITHUB_STEP_SUMMARY: summary });
    expect(r.exitCode, r.all).toBe(0);
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toContain('## httpbench compare: ✅ no regression');
    expect(md).toContain('threshold + ranges (low confidence)');
  });

  it('thresholds from flags and file change the verdict', async () => {
    const base = await runDir('thr-a', { seed: 41, repetitions: 5 });
    const slow = await runDir('thr-b', { seed: 42, repetitions: 5, latencyFactor: 1.3 });
    const file = path.join(tmp, 'loose.yaml');
    await writeFile(file, 'p50: 50\np95: 50\n');
    expect((await compare([base, slow, '--thresholds', file, '--threshold', 'p99=50'])).exitCode).toBe(0);
    expect((await compare([base, slow, '--thresholds', file])).exitCode).toBe(1);
  });
});

describe('httpbench compare: the gate fails closed (exit 4)', () => {
  it('a run compared with itself exits 0', async () => {
    const a = await runDir('self', { seed: 51, repetitions: 5 });
    const r = await compare([a, a]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^no regression: 0 regressed, 0 improved/m);
  });

  it('an interrupted candidate exits 4 and says why, even with a regression in it', async () => {
    const base = await runDir('gate-base', { seed: 52, repetitions: 5 });
    const dir = await runDir('gate-int', { seed: 53, repetitions: 5, latencyFactor: 1.5 });
    const doc = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    await writeFile(path.join(dir, 'run.json'), JSON.stringify({ ...doc, status: 'interrupted' }));
    const r = await compare([base, dir]);
    expect(r.exitCode, r.all).toBe(4);
    expect(r.stdout).toContain('!!!   candidate run status is "interrupted", not "completed"');
    expect(r.stdout).toMatch(/^INCOMPLETE \(1 problem\) and REGRESSION/m);
  });

  it('a failed baseline exits 4', async () => {
    const dir = await runDir('gate-failed', { seed: 54, repetitions: 2 });
    const doc = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    await writeFile(path.join(dir, 'run.json'), JSON.stringify({ ...doc, status: 'failed' }));
    const good = await runDir('gate-good', { seed: 55, repetitions: 2 });
    const r = await compare([dir, good]);
    expect(r.exitCode, r.all).toBe(4);
    expect(r.stdout).toContain('baseline run status is "failed", not "completed"');
  });

  it('a candidate that measured nothing (0 comparisons) exits 4', async () => {
    const base = await runDir('gate-b0', { seed: 56, repetitions: 2 });
    const empty = path.join(tmp, 'gate-empty');
    await mkdir(empty, { recursive: true });
    const doc = JSON.parse(await readFile(path.join(base, 'run.json'), 'utf8'));
    await writeFile(path.join(empty, 'run.json'), JSON.stringify({ ...doc, targets: [] }));
    const r = await compare([base, empty, '--json']);
    expect(r.exitCode, r.all).toBe(4);
    expect(JSON.parse(r.stdout).incomplete).toContain('nothing comparable was judged (0 metrics measured on both sides and comparable)');
  });

  it("the candidate scenario's compare: thresholds apply; flags still override them", async () => {
    const base = await runDir('scn-thr-a', { seed: 57, repetitions: 5 });
    const slow = await runDir('scn-thr-b', { seed: 58, repetitions: 5, latencyFactor: 1.3 });
    expect((await compare([base, slow])).exitCode).toBe(1);
    const doc = JSON.parse(await readFile(path.join(slow, 'run.json'), 'utf8'));
    doc.scenario.compare = { thresholdsPercent: { p50: 50, p95: 50, p99: 50 } };
    await writeFile(path.join(slow, 'run.json'), JSON.stringify(doc));
    const loose = await compare([base, slow]);
    expect(loose.exitCode, loose.all).toBe(0);
    expect(loose.stdout).toMatch(/compare: sections differ/);
    expect((await compare([base, slow, '--threshold', 'p50=10'])).exitCode).toBe(1);
  });
});

describe('httpbench compare: a broken candidate never passes (issue 22)', () => {
  const hostile = async (name: string, kind: Parameters<typeof hostileCandidate>[1]) => {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'run.json'), JSON.stringify(hostileCandidate(buildRunDocument({ seed: 72, repetitions: 3 }), kind), null, 2));
    return dir;
  };

  it('every response an HTTP 500: exit 1, the failure named on one line', async () => {
    const base = await runDir('hostile-b1', { seed: 71, repetitions: 3 });
    const r = await compare([base, await hostile('hostile-500', 'all-500')]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toMatch(/the candidate failed more than the error budget \(1\.00 %\) in 3 of 3 runs/);
  });

  it('no open-loop steps: exit 4 with a one-line reason', async () => {
    const base = await runDir('hostile-b2', { seed: 73, repetitions: 3 });
    const r = await compare([base, await hostile('hostile-closed', 'no-open-loop')]);
    expect(r.exitCode, r.all).toBe(4);
    expect(r.stdout).toContain('nothing comparable: the candidate has no open-loop steps, so its failures and capacity were never measured at a rate');
  });

  it('every step generator-bound: exit 4 with a one-line reason', async () => {
    const base = await runDir('hostile-b3', { seed: 74, repetitions: 3 });
    const r = await compare([base, await hostile('hostile-bound', 'all-generator-bound'), '--json']);
    expect(r.exitCode, r.all).toBe(4);
    const incomplete = JSON.parse(r.stdout).incomplete as string[];
    expect(incomplete).toHaveLength(1);
    expect(incomplete[0]).toBe("nothing comparable: every load step measured on both sides was generator-bound (the closed loop and 2 open-loop rates), so the figures are the generator's, not the target's");
  });
});

describe('httpbench compare: bad input exits 2 and names the problem', () => {
  it('malformed JSON', async () => {
    const dir = path.join(tmp, 'malformed');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'run.json'), '{"schemaVersion": 1, "targets": [');
    const good = await runDir('good', { seed: 1, repetitions: 2 });
    const r = await compare([good, dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(path.join(dir, 'run.json'));
    expect(r.stderr).toMatch(/not valid JSON/);
  });

  it('schema-invalid file', async () => {
    const doc = buildRunDocument({ seed: 1, repetitions: 2 }) as unknown as { targets: Array<Record<string, unknown>> };
    doc.targets[0]!.maxThroughputRps = 'fast';
    doc.targets[1]!.surprise = true;
    const file = path.join(tmp, 'invalid.json');
    await writeFile(file, JSON.stringify(doc));
    const good = await runDir('good2', { seed: 1, repetitions: 2 });
    const r = await compare([file, good]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: does not match the run.json schema`);
    expect(r.stderr).toMatch(/targets(\.0|\[0\])\.maxThroughputRps/);
    expect(r.stderr).toMatch(/surprise/);
  });

  it('missing file', async () => {
    const good = await runDir('good3', { seed: 1, repetitions: 2 });
    const missing = path.join(tmp, 'nope', 'run.json');
    const r = await compare([good, missing]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/no such file/);
  });

  it('different scenarios are refused unless --allow-different-scenarios', async () => {
    const a = await runDir('scen-a', { seed: 1, repetitions: 2 });
    const b = await runDir('scen-b', { seed: 2, repetitions: 2, scenarioName: 'nightly' });
    const r = await compare([a, b]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/different scenarios: baseline "ci" \(measurement fingerprint [0-9a-f]{12}\), candidate "nightly" \(measurement fingerprint [0-9a-f]{12}\)/);
    expect(r.stderr).toMatch(/--allow-different-scenarios/);
    const allowed = await compare([a, b, '--allow-different-scenarios']);
    expect(allowed.exitCode, allowed.all).toBe(0);
    expect(allowed.stdout).toMatch(/WARNING: different scenarios/);
  });

  it('different environments are refused unless --allow-env-mismatch, then flagged', async () => {
    const a = await runDir('env-a', { seed: 1, repetitions: 2 });
    const b = await runDir('env-b', { seed: 2, repetitions: 2, environment: { cpuModel: 'Bigger CPU', cpuCount: 64 } });
    const r = await compare([a, b]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/different environments/);
    expect(r.stderr).toMatch(/cpuCount: 4 vs 64/);
    const allowed = await compare([a, b, '--allow-env-mismatch']);
    expect(allowed.exitCode, allowed.all).toBe(0);
    expect(allowed.stdout).toMatch(/WARNING: THE RUNS WERE MEASURED ON DIFFERENT ENVIRONMENTS/);
  });

  it('an unknown threshold metric', async () => {
    const a = await runDir('thr-bad', { seed: 1, repetitions: 2 });
    const r = await compare([a, a, '--threshold', 'latency=5']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown metric "latency"/);
  });

  it('an unwritable output is an infrastructure failure: exit 3', async () => {
    const a = await runDir('unwritable', { seed: 1, repetitions: 2 });
    const r = await compare([a, a, '--junit', path.join(a, 'run.json', 'junit.xml')]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/cannot write --junit output/);
  });
});
