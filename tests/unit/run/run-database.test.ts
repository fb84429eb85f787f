/**
 * The orchestrator with `store: postgres` configurations, against scripted collaborators: the
 * database is started once, seeded with load.ids.max users, its URL reaches only postgres
 * configurations, it is sampled per step and stopped at the end; a database that dies mid-step fails
 * the configuration (step kept and marked), and one that cannot start fails the run (exit 3).
 */
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../../src/errors.ts';
import type { EngineStep, LoadEngine, StepSpec } from '../../../src/load/types.ts';
import { runBenchmark, type RunDatabase, type RunDeps, type RunInput } from '../../../src/run/run.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { resolveScenario } from '../../../src/scenario/resolve.ts';
import { RunDocumentSchema, type DatabaseInfo, type RunDocument } from '../../../src/schema/run.ts';
import type { RunningTarget, StartOptions } from '../../../src/targets/types.ts';
import { createHistogram, encodeHistogram, percentilesUs, recordUs } from '../../../src/samples/histogram.ts';

const yaml = `
name: db
targets:
  - name: go-chi
    context: .
    dockerfile: docker/go-chi.Dockerfile
    configurations:
      - { id: one, env: { GOMAXPROCS: "1" } }
      - { id: one-postgres, store: postgres, env: { GOMAXPROCS: "1" } }
      - { id: two-postgres, store: postgres, env: { GOMAXPROCS: "2" } }
database: { poolSize: 5 }
load:
  warmupS: 0
  steps: { rates: [100, 200], durationS: 1 }
  knee: { refineSteps: 0 }
  ids: { max: 300 }
slo: { p99Ms: 50, errorRate: 0.01 }
`;

function engine(onStep: (spec: StepSpec) => void): LoadEngine {
  return {
    name: 'openloop',
    async runStep(spec) {
      onStep(spec);
      const h = createHistogram();
      recordUs(h, 1000);
      const p = percentilesUs(h);
      const rate = spec.rateRps ?? 1000;
      const sent = Math.round(rate * spec.durationS);
      const step: EngineStep = {
        engine: 'openloop', offeredRps: spec.rateRps, achievedRps: rate, durationS: spec.durationS, connections: spec.connections,
        counts: { sent, completed: sent, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 },
        latencyUs: { uncorrected: p, corrected: spec.rateRps === null ? null : p },
        generator: { cpuPercent: 10, workers: 1, cpuset: '0', bound: false, boundReasons: [], latenessUs: null, eventLoopDelayP99Us: null },
        notes: [], histograms: { uncorrected: encodeHistogram(h), corrected: null, lateness: null, intervalLog: null },
      };
      return step;
    },
  };
}

const info = (): DatabaseInfo => ({
  image: 'httpbench-base/postgres:17', imageId: 'sha256:db', source: 'stand-in', version: 'postgres (PostgreSQL) 17.0', cpuset: '1',
  sharesTargetCpus: true, memoryBytes: 512 * 1048576, users: 300, poolSize: 5, settings: { max_connections: '200' },
  startMs: 700, seedMs: 150, seedCommand: 'httpbench/go-chi:t -seed', error: null,
});

function setup(opts: { dbDiesAfterSteps?: number; startFails?: boolean } = {}) {
  const scenario = resolveScenario(parseScenario(yaml, 'db', { cpuCount: 2 }), { targetHostCpuCount: 2, generatorCpuCount: 1 });
  const envs: Array<[string, Record<string, string>]> = [];
  const contractMaxIds: Array<number | undefined> = [];
  const events: string[] = [];
  const saved: RunDocument[] = [];
  let steps = 0;
  let dbRunning = true;
  const database: RunDatabase = {
    url: 'postgresql://httpbench:secret@127.0.0.1:5999/postgres',
    info: info(),
    sampleResources: () => ({ stop: async () => ({ cpuPercent: 12.5, memoryPeakBytes: 40 * 1048576, samples: 3 }) }),
    state: async () => ({ running: dbRunning, exitCode: dbRunning ? null : 137, oomKilled: false }),
    stop: async () => void events.push('db:stop'),
  };
  const target = (o: StartOptions): RunningTarget => ({
    baseUrl: 'http://127.0.0.1:1001', image: null, coldStartMs: 5, limits: null, idleMemoryBytes: null,
    sampleResources: () => null,
    state: async () => ({ running: true, exitCode: null, oomKilled: false }),
    logsTail: async () => '',
    stop: async () => void events.push(`stop:${o.configuration.id}`),
  });
  const deps: RunDeps = {
    buildImage: async (spec) => ({ tag: `httpbench/${spec.name}:t`, id: 'sha256:img', sizeBytes: 6e6 }),
    startTarget: async (o) => {
      envs.push([o.configuration.id, o.configuration.env]);
      events.push(`start:${o.configuration.id}`);
      return target(o);
    },
    startDatabase: async (o) => {
      events.push(`db:start ${o.seedImage.tag} users=${o.users} cpuset=${o.cpuset}`);
      if (opts.startFails) throw new InfrastructureError('the database container exited during start-up (exit code 1)', { hint: 'see the logs' });
      return database;
    },
    verifyContract: async (_url, _host, maxId) => {
      contractMaxIds.push(maxId);
      return { ok: true, failures: [] };
    },
    engine: () =>
      engine(() => {
        steps += 1;
        if (opts.dbDiesAfterSteps !== undefined && steps > opts.dbDiesAfterSteps) dbRunning = false;
      }),
    save: async (doc) => void saved.push(RunDocumentSchema.parse(structuredClone(doc))),
    log: () => {},
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  const input: RunInput = {
    scenario, claims: null,
    environment: { cpuModel: 'test', cpuCount: 2, memoryBytes: 1, os: 'x', kernel: 'x', arch: 'x64', nodeVersion: 'v20', dockerVersion: null, gitCommit: null, cpusets: { target: '1', generator: '0' } },
    toolVersion: '0.0.0', runId: 'r', targetCpuset: '1', generatorCpuset: '0', source: null, signal: new AbortController().signal,
  };
  return { input, deps, envs, events, saved, contractMaxIds };
}

describe('runBenchmark with the postgres store', () => {
  it('starts and seeds one database at the first postgres configuration, passes its URL only there, samples it per step', async () => {
    const { input, deps, envs, events, contractMaxIds } = setup();
    const doc = await runBenchmark(input, deps);
    expect(doc.status).toBe('completed');
    // The contract check asks for the last seeded id, not the memory store's default 10000.
    expect(contractMaxIds).toEqual([undefined, 300, 300]);
    expect(events).toEqual([
      'start:one', 'stop:one',
      'db:start httpbench/go-chi:t users=300 cpuset=1',
      'start:one-postgres', 'stop:one-postgres',
      'start:two-postgres', 'stop:two-postgres',
      'db:stop',
    ]);
    expect(envs).toEqual([
      ['one', { GOMAXPROCS: '1' }],
      ['one-postgres', { GOMAXPROCS: '1', STORE: 'postgres', DB_POOL_SIZE: '5', USERS: '300', DATABASE_URL: 'postgresql://httpbench:secret@127.0.0.1:5999/postgres' }],
      ['two-postgres', { GOMAXPROCS: '2', STORE: 'postgres', DB_POOL_SIZE: '5', USERS: '300', DATABASE_URL: 'postgresql://httpbench:secret@127.0.0.1:5999/postgres' }],
    ]);
    expect(doc.targets.map((t) => [t.configuration, t.store, t.status])).toEqual([
      ['one', 'memory', 'completed'],
      ['one-postgres', 'postgres', 'completed'],
      ['two-postgres', 'postgres', 'completed'],
    ]);
    expect(doc.targets[0]!.steps.every((s) => s.database === undefined)).toBe(true);
    expect(doc.targets[1]!.steps.map((s) => s.database?.cpuPercent)).toEqual([12.5, 12.5, 12.5]);
    expect(doc.database).toMatchObject({ users: 300, poolSize: 5, sharesTargetCpus: true, error: null });
    // The password never reaches run.json.
    expect(JSON.stringify(doc)).not.toContain('secret');
  });

  it('a database that dies mid-step fails that configuration (step kept and marked) and the later ones; it is still removed', async () => {
    const { input, deps, events } = setup({ dbDiesAfterSteps: 4 });
    const doc = await runBenchmark(input, deps);
    expect(doc.status).toBe('failed');
    const [, pg, pg2] = doc.targets;
    expect(pg!.status).toBe('failed');
    expect(pg!.reason).toContain('go-chi/one-postgres#1: the database exited (code 137) during a step');
    expect(pg!.steps).toHaveLength(2);
    expect(pg!.steps.at(-1)!.notes).toContain("the database exited (code 137) during this step: its failures are the database's, not the target's");
    expect(pg2).toMatchObject({ status: 'failed' });
    expect(pg2!.reason).toContain('the database is not running (the database exited (code 137) during a step of go-chi/one-postgres#1)');
    expect(doc.database!.error).toBe('the database exited (code 137) during a step of go-chi/one-postgres#1');
    expect(events.filter((e) => e.startsWith('stop:') || e === 'db:stop')).toEqual(['stop:one', 'stop:one-postgres', 'db:stop']);
  });

  it('a database that cannot start fails the run with exit 3 and leaves no target running', async () => {
    const { input, deps, events, saved } = setup({ startFails: true });
    const error = await runBenchmark(input, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).exitCode).toBe(3);
    expect(events).toEqual(['start:one', 'stop:one', 'db:start httpbench/go-chi:t users=300 cpuset=1']);
    expect(saved.at(-1)!.status).toBe('failed');
  });
});
