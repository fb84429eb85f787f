import { describe, expect, it } from 'vitest';
import { planRuns } from '../../../src/plan/plan.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { resolveScenario } from '../../../src/scenario/resolve.ts';

/** The scenario as a run on a `cpuCount`-CPU machine resolves it (the generator's CPUs do not matter to the plan). */
const resolved = (text: string, cpuCount: number) => resolveScenario(parseScenario(text, 't', { cpuCount }), { targetHostCpuCount: cpuCount, generatorCpuCount: 1 });

const yaml = `
name: t
targets:
  - name: a
    url: http://127.0.0.1:1
    configurations:
      - { id: one, env: { WORKERS: "1" } }
      - { id: all, env: { WORKERS: "\${cpus}" } }
  - { name: b, url: "http://127.0.0.1:2" }
load: { steps: { rates: [100] } }
repeat: 3
`;

describe('planRuns', () => {
  it('alternates target order across repetitions (A B, B A, A B)', () => {
    const runs = planRuns(resolved(yaml, 8));
    expect(runs.map((r) => `${r.spec.name}/${r.configuration.id}#${r.repetition}`)).toEqual([
      'a/one#0', 'a/all#0', 'b/default#0',
      'b/default#1', 'a/one#1', 'a/all#1',
      'a/one#2', 'a/all#2', 'b/default#2',
    ]);
    expect(runs[1]!.env).toEqual({ WORKERS: '4' });
    expect(runs.every((r) => r.skipReason === null)).toBe(true);
  });
  it('skips a configuration identical to another on this CPU budget, saying why', () => {
    const s = resolved(yaml, 2);
    expect(s.resources.cpus).toBe(1);
    const runs = planRuns(s, ['a']);
    expect(runs).toHaveLength(6);
    expect(runs[0]!.skipReason).toBeNull();
    expect(runs[1]!.skipReason).toContain("identical to configuration 'one' on a 1-CPU budget");
  });
});

describe('planRuns with stores', () => {
  const stores = `
name: s
targets:
  - name: go-chi
    context: .
    dockerfile: docker/go-chi.Dockerfile
    configurations:
      - { id: one, env: { GOMAXPROCS: "1" } }
      - { id: one-postgres, store: postgres, env: { GOMAXPROCS: "1" } }
      - { id: all-postgres, store: postgres, env: { GOMAXPROCS: "\${cpus}" } }
database: { poolSize: 7 }
load: { steps: { rates: [100] }, ids: { max: 2500 } }
`;
  it('passes STORE, DB_POOL_SIZE and USERS (= load.ids.max) to postgres configurations only', () => {
    const runs = planRuns(resolved(stores, 2));
    expect(runs.map((r) => [r.configuration.id, r.store, r.env])).toEqual([
      ['one', 'memory', { GOMAXPROCS: '1' }],
      ['one-postgres', 'postgres', { GOMAXPROCS: '1', STORE: 'postgres', DB_POOL_SIZE: '7', USERS: '2500' }],
      ['all-postgres', 'postgres', { GOMAXPROCS: '1', STORE: 'postgres', DB_POOL_SIZE: '7', USERS: '2500' }],
    ]);
  });
  it('a memory and a postgres configuration with the same env are not twins; two postgres ones are', () => {
    const runs = planRuns(resolved(stores, 2));
    expect(runs[1]!.skipReason).toBeNull();
    expect(runs[2]!.skipReason).toContain("identical to configuration 'one-postgres' on a 1-CPU budget");
  });
  it('defaults: postgres:17, pool 10, max_connections 200, seeded by go-chi -seed', () => {
    const s = parseScenario(stores.replace('database: { poolSize: 7 }\n', ''), 's', { cpuCount: 2 });
    expect(s.database).toEqual({ image: 'postgres:17', poolSize: 10, memoryMiB: 512, settings: { max_connections: '200' }, seed: { target: 'go-chi', command: ['-seed'] }, startupTimeoutS: 60 });
  });
});
