/**
 * `httpbench compare` on real runs: `httpbench run` drives fake targets whose latency is dialled
 * (a fixed delay), repeated 4 times so the U test can decide. A 30 % slower candidate must be flagged
 * (exit 1); a second run of the unchanged target must not (exit 0).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpbench } from '../helpers/cli.ts';
import { startFakeUsers, type FakeUsers } from '../helpers/fake-users.ts';

let tmp: string;
const servers: FakeUsers[] = [];

/** One run of a single url: target named "svc" (same name and scenario name on both sides). */
async function runAgainst(url: string, out: string): Promise<void> {
  const file = path.join(tmp, `${path.basename(out)}.yaml`);
  await writeFile(
    file,
    `name: dial
targets:
  - { name: svc, url: "${url}" }
resources: { cpus: 1 }
load:
  warmupS: 0.2
  connections: 16
  max: { durationS: 0.5, connections: 16 }
  steps: { rates: [100], durationS: 1, stopAtSaturation: false }
  knee: { refineSteps: 0 }
slo: { p99Ms: 1000 }
repeat: 4
`,
  );
  const r = await httpbench(['run', '--scenario', file, '--out', out]);
  expect(r.exitCode, r.all).toBe(0);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-compare-runs-'));
  // 20 ms vs 26 ms: +30 % latency and −23 % closed-loop throughput (16 connections / delay).
  servers.push(await startFakeUsers({ delayMs: 20 }), await startFakeUsers({ delayMs: 26 }));
  await runAgainst(servers[0]!.url, path.join(tmp, 'base'));
  await runAgainst(servers[0]!.url, path.join(tmp, 'again'));
  await runAgainst(servers[1]!.url, path.join(tmp, 'slower'));
}, 180_000);
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('compare on real runs against a dialled fake target', () => {
  it('flags a 30 % slower candidate as a regression (exit 1)', async () => {
    const r = await httpbench(['compare', path.join(tmp, 'base'), path.join(tmp, 'slower'), '--no-step-summary', '--json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const comparison = JSON.parse(r.stdout) as { groups: Array<{ metrics: Array<{ id: string; verdict: string; method: string }> }> };
    const metrics = comparison.groups.flatMap((g) => g.metrics);
    const regressed = metrics.filter((m) => m.verdict === 'regressed').map((m) => m.id);
    expect(regressed.length).toBeGreaterThan(0);
    expect(metrics.filter((m) => m.verdict === 'regressed').every((m) => m.method === 'mann-whitney')).toBe(true);
  });

  it('does not cry wolf on a second run of the same target (exit 0)', async () => {
    const r = await httpbench(['compare', path.join(tmp, 'base'), path.join(tmp, 'again'), '--no-step-summary']);
    expect(r.exitCode, r.all).toBe(0);
  });
});
