/**
 * The postgres store end to end, on real containers: the harness starts its own PostgreSQL
 * (official postgres:17, or the stand-in from scripts/build-bases.sh), seeds it with a target image's
 * seed command, measures both stores side by side and removes everything; faults: a database that
 * cannot start (exit 3, nothing left) and a database killed mid-step (failures counted, step marked,
 * exit 3, nothing left). Images are tagged :pg-e2e so the test never replaces images a benchmark uses.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { RunDocumentSchema } from '../../src/schema/run.ts';
import { HARNESS_LABEL } from '../../src/targets/types.ts';
import { httpbench } from '../helpers/cli.ts';

const TAG = 'pg-e2e';

function scenario(opts: { fastapi?: boolean; settings?: string; rates?: string; durationS?: number } = {}): string {
  const fastapi = opts.fastapi
    ? `
  - name: fastapi
    context: .
    dockerfile: docker/fastapi.Dockerfile
    configurations:
      - { id: 1-worker-postgres, store: postgres, env: { WORKERS: "1" } }`
    : '';
  return `
name: pg-e2e
targets:
  - name: go-chi
    context: .
    dockerfile: docker/go-chi.Dockerfile
    configurations:
      - { id: gomaxprocs-1, env: { GOMAXPROCS: "1" } }
      - { id: gomaxprocs-1-postgres, store: postgres, env: { GOMAXPROCS: "1" } }${fastapi}
resources: { cpus: 1, memoryMiB: 256, pids: 256 }
database: { poolSize: 4, memoryMiB: 256, settings: { max_connections: "50"${opts.settings ?? ''} } }
load:
  warmupS: 1
  connections: 8
  max: { durationS: 2, connections: 16 }
  steps: { rates: ${opts.rates ?? '[200, 400]'}, durationS: ${opts.durationS ?? 2} }
  knee: { refineSteps: 0 }
  ids: { max: 2000 }
  calibration: { enabled: false }
slo: { p99Ms: 500, errorRate: 0.01 }
startupTimeoutS: 120
`;
}

async function writeScenario(text: string): Promise<{ file: string; out: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-pg-'));
  const file = path.join(dir, 'scenario.yaml');
  await writeFile(file, text);
  return { file, out: path.join(dir, 'out') };
}

/** Harness containers of this test's runs: from its :pg-e2e images or the database/seed ones, not another run's. */
async function ourContainers(before: Set<string>): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--filter', `label=${HARNESS_LABEL}`, '--format', '{{.ID}} {{.Image}} {{.Names}}']);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .filter((line) => !before.has(line.split(' ')[0]!))
    .filter((line) => line.includes(`:${TAG}`) || / httpbench-(postgres|seed)-/.test(line));
}

async function harnessIds(): Promise<Set<string>> {
  const r = await execa('docker', ['ps', '-a', '--filter', `label=${HARNESS_LABEL}`, '--format', '{{.ID}}']);
  return new Set(r.stdout.split('\n').filter(Boolean));
}

describe('the postgres store (real containers)', () => {
  it('measures memory and postgres side by side for both targets, records the database, leaves nothing', { timeout: 900_000 }, async () => {
    const before = await harnessIds();
    const { file, out } = await writeScenario(scenario({ fastapi: true }));
    const r = await httpbench(['run', '--scenario', file, '--out', out, '--image-tag', TAG], { timeoutMs: 900_000 });
    expect(r.exitCode, r.all).toBe(0);
    const doc = RunDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')));
    expect(doc.targets.map((t) => [t.name, t.configuration, t.store, t.status])).toEqual([
      ['go-chi', 'gomaxprocs-1', 'memory', 'completed'],
      ['go-chi', 'gomaxprocs-1-postgres', 'postgres', 'completed'],
      ['fastapi', '1-worker-postgres', 'postgres', 'completed'],
    ]);
    expect(doc.database).toMatchObject({ users: 2000, poolSize: 4, settings: { max_connections: '50' }, cpuset: doc.environment.cpusets.target, sharesTargetCpus: true, error: null });
    expect(doc.database!.version).toMatch(/PostgreSQL\) 17\./);
    for (const t of doc.targets) {
      for (const s of t.steps) {
        expect(s.counts.completed).toBeGreaterThan(0);
        expect(s.counts.non2xx + s.counts.errors + s.counts.timeouts).toBe(0);
        if (t.store === 'postgres') expect(s.database!.samples).toBeGreaterThan(0);
        else expect(s.database).toBeUndefined();
      }
    }
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| go-chi/gomaxprocs-1 vs gomaxprocs-1-postgres |');
    expect(md).toContain("shares the targets' CPUs");
    // The password is only ever in the containers' env.
    expect(await readFile(path.join(out, 'run.json'), 'utf8')).not.toMatch(/postgresql:\/\/[^@"]*:[^@"*]+@/);
    expect(await ourContainers(before)).toEqual([]);
  });

  it('a database that cannot start: one clear error, exit 3, nothing left running', { timeout: 600_000 }, async () => {
    const before = await harnessIds();
    const { file, out } = await writeScenario(scenario({ settings: ', shared_buffers: "lots"' }));
    const r = await httpbench(['run', '--scenario', file, '--out', out, '--image-tag', TAG], { timeoutMs: 600_000 });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toContain('the database container exited during start-up');
    expect(r.stderr).toContain('shared_buffers');
    const doc = RunDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')));
    expect(doc.status).toBe('failed');
    expect(await ourContainers(before)).toEqual([]);
  });

  it('a database killed mid-step: failures counted, the step marked, exit 3, nothing left', { timeout: 600_000 }, async () => {
    const before = await harnessIds();
    const { file, out } = await writeScenario(scenario({ rates: '[200, 300, 400]', durationS: 4 }));
    const run = httpbench(['run', '--scenario', file, '--out', out, '--image-tag', TAG], { timeoutMs: 600_000 });
    let killed = false;
    let seen = '';
    run.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      // The first open-loop step of the postgres configuration has started: kill the database under it.
      if (!killed && seen.includes('[go-chi/gomaxprocs-1-postgres#1] max closed loop')) {
        killed = true;
        void execa('docker', ['ps', '-q', '--filter', `label=${HARNESS_LABEL}`, '--filter', 'label=io.httpbench.target=database']).then((ps) =>
          Promise.all(ps.stdout.split('\n').filter((id) => id && !before.has(id)).map((id) => execa('docker', ['kill', id]))),
        );
      }
    });
    const r = await run;
    expect(killed, r.all).toBe(true);
    expect(r.exitCode, r.all).toBe(3);
    const doc = RunDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')));
    const pg = doc.targets.find((t) => t.configuration === 'gomaxprocs-1-postgres')!;
    expect(pg.status).toBe('failed');
    expect(pg.reason).toContain('the database exited');
    const last = pg.steps.at(-1)!;
    expect(last.notes.join(' ')).toContain('the database exited');
    expect(last.counts.non2xx + last.counts.errors + last.counts.timeouts).toBeGreaterThan(0);
    expect(doc.database!.error).toContain('the database exited');
    expect(await ourContainers(before)).toEqual([]);
  });
});
