import { describe, expect, it } from 'vitest';
import { environmentAdvisories, environmentDiff } from '../../../src/compare/compare.ts';
import type { HostEnvironment, RunDocument } from '../../../src/schema/run.ts';
import { buildRunDocument } from '../../helpers/compare-fixtures.ts';

const targetsHost = (over: Partial<HostEnvironment> = {}): HostEnvironment => ({
  role: 'targets',
  engine: 'tcp://10.0.0.5:2375',
  address: '10.0.0.5',
  cpuModel: 'Server CPU',
  cpuCount: 32,
  memoryBytes: 64 * 2 ** 30,
  os: 'Debian',
  kernel: '6.1.0',
  arch: 'x86_64',
  dockerVersion: '27.0.1',
  ...over,
});
const withHost = (doc: RunDocument, host: HostEnvironment | null): RunDocument => (host ? { ...doc, hosts: [targetsHost({ role: 'load', engine: null, address: null }), host] } : doc);

describe('compare with two-host runs', () => {
  const base = buildRunDocument({ seed: 1, repetitions: 2 });
  it('refuses when the targets machine differs in CPU or memory', () => {
    expect(environmentDiff(withHost(base, targetsHost()), withHost(base, targetsHost({ cpuCount: 16, cpuModel: 'Small CPU' })))).toEqual([
      'targets host cpuModel: "Server CPU" vs "Small CPU"',
      'targets host cpuCount: 32 vs 16',
    ]);
    expect(environmentDiff(withHost(base, targetsHost()), withHost(base, targetsHost({ engine: 'tcp://10.0.0.9:2375' })))).toEqual([]);
  });
  it('refuses one machine against two', () => {
    expect(environmentDiff(base, withHost(base, targetsHost()))).toEqual(['targets host: this machine vs a separate machine']);
  });
  it('warns (no refusal) on the targets host kernel and Docker version', () => {
    expect(environmentAdvisories(withHost(base, targetsHost()), withHost(base, targetsHost({ kernel: '6.8.0', dockerVersion: '28.0.0' })))).toEqual([
      'targets host kernel: "6.1.0" vs "6.8.0"',
      'targets host Docker: 27.0.1 vs 28.0.0',
    ]);
  });

  it('refuses runs whose closed-loop maximum was measured by different engines (autocannon vs our engine)', () => {
    const engine = (doc: RunDocument, name: 'openloop' | 'autocannon'): RunDocument => ({
      ...doc,
      targets: doc.targets.map((t) => ({ ...t, steps: t.steps.map((st) => (st.kind === 'max' ? { ...st, engine: name } : st)) })),
    });
    expect(environmentDiff(engine(base, 'autocannon'), engine(base, 'openloop'))).toEqual(['closed-loop max step engine: autocannon vs openloop']);
    expect(environmentDiff(engine(base, 'openloop'), engine(base, 'openloop'))).toEqual([]);
  });
});
