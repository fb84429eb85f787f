/** The one resolution step: "half" CPUs, "auto" workers, the CPU split and `${cpus}`, with exact numbers. */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/scenario/load.ts';
import { placeCpus, resolveCpus, resolveScenario, substituteCpus } from '../../../src/scenario/resolve.ts';

const scenario = (resources: string, load = '') => `
name: r
targets: [{ name: a, url: "http://127.0.0.1:1" }]
resources: ${resources}
load: { steps: { rates: [100] }${load} }
`;

describe('resolveScenario', () => {
  it('turns "half" and "auto" into numbers from the machines, and leaves the parsed scenario as written', () => {
    const parsed = parseScenario(scenario('{}', ', workers: auto'), 'r', { cpuCount: 8 });
    expect([parsed.resources.cpus, parsed.load.workers]).toEqual(['half', 'auto']);
    const resolved = resolveScenario(parsed, { targetHostCpuCount: 8, generatorCpuCount: 3 });
    expect([resolved.resources.cpus, resolved.load.workers]).toEqual([4, 3]);
    // A copy: the validated scenario is not rewritten in place.
    expect([parsed.resources.cpus, parsed.load.workers]).toEqual(['half', 'auto']);
    // Everything else is carried over unchanged.
    expect({ ...resolved, resources: parsed.resources, load: parsed.load }).toEqual(parsed);
  });

  it('keeps numbers as given; "half" of 1 CPU is 1 and "auto" with no generator CPU is 1 worker', () => {
    const explicit = resolveScenario(parseScenario(scenario('{ cpus: 2 }', ', workers: 5'), 'r', { cpuCount: 8 }), { targetHostCpuCount: 8, generatorCpuCount: 6 });
    expect([explicit.resources.cpus, explicit.load.workers]).toEqual([2, 5]);
    const tiny = resolveScenario(parseScenario(scenario('{}', ', workers: auto'), 'r', { cpuCount: 1 }), { targetHostCpuCount: 1, generatorCpuCount: 0 });
    expect([tiny.resources.cpus, tiny.load.workers]).toEqual([1, 1]);
    expect([resolveCpus('half', 2), resolveCpus('half', 7), resolveCpus(3, 64)]).toEqual([1, 3, 3]);
  });
});

describe('placeCpus', () => {
  it('a target host on this machine\'s kernel: split as on one machine, the generator off the targets\' CPUs', () => {
    const s = parseScenario(scenario('{ cpus: 1 }'), 'r', { cpuCount: 2 });
    expect(placeCpus(s, { targetHostCpuCount: 2, loadCpuCount: 2, twoHost: true })).toEqual({ target: '1', generator: '0-1' });
    expect(placeCpus(s, { targetHostCpuCount: 2, loadCpuCount: 2, twoHost: true, targetHostSharesThisKernel: true })).toMatchObject({ target: '1', generator: '0' });
  });
  it('one machine: the targets get the last CPUs, the generator the rest (or the scenario\'s cpusets)', () => {
    const s = parseScenario(scenario('{}'), 'r', { cpuCount: 4 });
    expect(placeCpus(s, { targetHostCpuCount: 4, loadCpuCount: 4, twoHost: false })).toMatchObject({ target: '2-3', generator: '0-1' });
    const pinned = parseScenario(scenario('{ cpus: 1, targetCpuset: "0", generatorCpuset: "2-3" }'), 'r', { cpuCount: 4 });
    expect(placeCpus(pinned, { targetHostCpuCount: 4, loadCpuCount: 4, twoHost: false })).toMatchObject({ target: '0', generator: '2-3' });
  });

  it('two machines: the targets\' cpuset is on their host, the generator gets every CPU here', () => {
    const s = parseScenario(scenario('{}'), 'r', { cpuCount: 16 });
    expect(placeCpus(s, { targetHostCpuCount: 16, loadCpuCount: 3, twoHost: true })).toEqual({ target: '8-15', generator: '0-2' });
  });
});

describe('substituteCpus', () => {
  it('replaces every ${cpus} in every value, and nothing else', () => {
    expect(substituteCpus({ WORKERS: '${cpus}', X: 'a${cpus}b${cpus}', Y: '$cpus {cpus}' }, 2)).toEqual({ WORKERS: '2', X: 'a2b2', Y: '$cpus {cpus}' });
  });
});
