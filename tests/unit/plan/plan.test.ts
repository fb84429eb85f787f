import { describe, expect, it } from 'vitest';
import { planRuns } from '../../../src/plan/plan.ts';
import { parseScenario } from '../../../src/scenario/load.ts';

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
    const s = parseScenario(yaml, 't', { cpuCount: 8 });
    const runs = planRuns(s, 4);
    expect(runs.map((r) => `${r.spec.name}/${r.configuration.id}#${r.repetition}`)).toEqual([
      'a/one#0', 'a/all#0', 'b/default#0',
      'b/default#1', 'a/one#1', 'a/all#1',
      'a/one#2', 'a/all#2', 'b/default#2',
    ]);
    expect(runs[1]!.env).toEqual({ WORKERS: '4' });
    expect(runs.every((r) => r.skipReason === null)).toBe(true);
  });
  it('skips a configuration identical to another on this CPU budget, saying why', () => {
    const s = parseScenario(yaml, 't', { cpuCount: 2 });
    expect(s.resources.cpus).toBe(1);
    const runs = planRuns(s, 1, ['a']);
    expect(runs).toHaveLength(6);
    expect(runs[0]!.skipReason).toBeNull();
    expect(runs[1]!.skipReason).toContain("identical to configuration 'one' on a 1-CPU budget");
  });
});
