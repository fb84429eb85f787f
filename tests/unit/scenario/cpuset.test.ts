import { describe, expect, it } from 'vitest';
import { formatCpuset, parseCpuset, splitCpus } from '../../../src/scenario/cpuset.ts';
import { ConfigError } from '../../../src/errors.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { parseRunDocument } from '../../../src/schema/io.ts';
import { makeDoc } from '../../helpers/sample-run.ts';

describe('cpuset', () => {
  it('parses lists and ranges', () => {
    expect(parseCpuset('0')).toEqual([0]);
    expect(parseCpuset('0,2-4')).toEqual([0, 2, 3, 4]);
    expect(formatCpuset([4, 0, 2, 3])).toBe('0,2-4');
  });
  it('gives the target the last CPUs and the generator the rest', () => {
    expect(splitCpus(2, 1)).toEqual({ target: '1', generator: '0', shared: false });
    expect(splitCpus(8, 4)).toEqual({ target: '4-7', generator: '0-3', shared: false });
  });
  it('says so when nothing is left for the generator', () => {
    expect(splitCpus(2, 2)).toEqual({ target: '0-1', generator: null, shared: true });
  });
  it('honours explicit sets and detects overlap', () => {
    expect(splitCpus(4, 1, '2', '0-2')).toEqual({ target: '2', generator: '0-2', shared: true });
  });
});

describe('#23 defect 5: cpuset ranges are bounded', () => {
  const scenario = (cpuset: string) => `name: s\ntargets: [{ name: a, url: "http://127.0.0.1:1/" }]\nresources: { cpus: 1, targetCpuset: "${cpuset}" }\nload: { steps: { rates: [100] } }\n`;
  const message = (f: () => unknown): ConfigError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error('no error');
  };

  it('parseCpuset refuses a CPU above 8191 or a backwards range without expanding it', () => {
    const t0 = performance.now();
    expect(message(() => parseCpuset('0-99999999')).message).toBe('cpuset CPU 99999999 is above 8191, the highest CPU number Linux supports');
    expect(message(() => parseCpuset('3-1')).message).toBe('cpuset range 3-1 runs backwards');
    expect(performance.now() - t0).toBeLessThan(100);
    expect(parseCpuset('0-8191')).toHaveLength(8192);
  });

  it('a scenario naming 0-99999999 or 0-99999 is one short problem (exit 2)', () => {
    for (const cpuset of ['0-99999999', '0-99999']) {
      const e = message(() => parseScenario(scenario(cpuset), 's.yaml', { cpuCount: 2 }));
      expect(e.problems).toEqual([`resources.targetCpuset: CPU 99999${cpuset.length > 7 ? '999' : ''} is above 8191, the highest CPU number Linux supports`]);
    }
    const outside = message(() => parseScenario(scenario('0-8191'), 's.yaml', { cpuCount: 2 }));
    expect(outside.problems.join('\n').length).toBeLessThan(300);
    expect(outside.problems).toContain('resources.targetCpuset: CPU 2-8191 is outside this machine (CPUs 0-1)');
  });

  it('a run.json whose environment.cpusets names 0-99999999 is exit 2, not 830 MB and exit 70', () => {
    const doc = makeDoc([]);
    doc.environment.cpusets.target = '0-99999999';
    const e = message(() => parseRunDocument(JSON.stringify(doc), 'run.json'));
    expect(e.problems).toEqual(['environment.cpusets.target: CPU 99999999 is above 8191, the highest CPU number Linux supports']);
  });
});
