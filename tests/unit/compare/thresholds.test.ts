import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS_PERCENT, parseThresholdFlags, parseThresholdsFile, resolveThresholds } from '../../../src/compare/thresholds.ts';
import { ConfigError } from '../../../src/errors.ts';
import { parseScenario } from '../../../src/scenario/load.ts';

describe('thresholds', () => {
  it('defaults: the A/A measurement of bench/README.md (largest change × 1.25, floors for rates, memory, cold start, image)', () => {
    expect(resolveThresholds()).toEqual({ throughput: 5, achievedRps: 5, p50: 113, p95: 99, p99: 100, memory: 10, coldStart: 29, imageSize: 5 });
  });

  it('flags: percent, sign ignored, aliases, "%" suffix', () => {
    expect(parseThresholdFlags(['throughput=-7', 'p99=20%', 'cold-start=30', 'image_size=1'])).toEqual({ throughput: 7, p99: 20, coldStart: 30, imageSize: 1 });
  });

  it('flags: every problem reported at once', () => {
    try {
      parseThresholdFlags(['latency=5', 'p99=abc', 'p50']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toHaveLength(3);
      expect((e as ConfigError).problems[0]).toMatch(/unknown metric "latency"/);
    }
  });

  it('#23 defect 9: no hex, no exponent, no inherited keys, and at most 1000 % (flags and file)', () => {
    const problems = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
      }
      return [];
    };
    const flags = problems(() => parseThresholdFlags(['p99=0x40', 'achievedRps=1e308', 'throughput=-1e9', 'constructor=5', '__proto__=5', 'p50=1001', 'p95=', 'memory=Infinity']));
    expect(flags).toHaveLength(8);
    expect(flags.filter((p) => /unknown metric/.test(p))).toHaveLength(2);
    expect(flags.filter((p) => /above the 1000 % limit/.test(p))).toHaveLength(1);
    const file = problems(() => parseThresholdsFile('throughput: 1e308\nconstructor: 5\nmemory: 2000\n', 't.yaml'));
    expect(file).toHaveLength(3);
    // A file obeys the flags' rule: YAML would read these as 64, 1000, 8 and 0.5 on its own.
    const yamlNumbers = problems(() => parseThresholdsFile('p99: 0x40\np95: 1e3\np50: 0o10\nmemory: .5e0\n', 't.yaml'));
    expect(yamlNumbers).toEqual([
      't.yaml: p99: threshold must be a number of percent, got "0x40"',
      't.yaml: p95: threshold must be a number of percent, got "1e3"',
      't.yaml: p50: threshold must be a number of percent, got "0o10"',
      't.yaml: memory: threshold must be a number of percent, got ".5e0"',
    ]);
    expect(parseThresholdsFile('p99: 25\np50: "7.5 %"\nmemory: 10%\n', 't.yaml')).toEqual({ p99: 25, p50: 7.5, memory: 10 });
    expect(parseThresholdFlags(['p99=1000', 'p50=0.5', 'memory=10 %'])).toEqual({ p99: 1000, p50: 0.5, memory: 10 });
  });

  it('file: YAML map, flags override file, file overrides defaults', () => {
    const file = parseThresholdsFile('p99: 25\nmemory: 12\n', 't.yaml');
    const r = resolveThresholds(file, parseThresholdFlags(['p99=30']));
    expect(r).toEqual({ ...DEFAULT_THRESHOLDS_PERCENT, p99: 30, memory: 12 });
  });

  it('file: bad YAML and unknown keys are ConfigErrors naming the file', () => {
    expect(() => parseThresholdsFile('p99: [', 't.yaml')).toThrow(/t\.yaml/);
    expect(() => parseThresholdsFile('p98: 3', 't.yaml')).toThrow(ConfigError);
    expect(() => parseThresholdsFile('- 1', 't.yaml')).toThrow(/map/);
  });
});

describe("the scenario's compare: section", () => {
  const scenario = (extra: string) => `name: s
targets: [{ name: a, url: "http://127.0.0.1:1/" }]
load: { steps: { rates: [100] } }
${extra}
`;

  it('is optional, validated, and layers between defaults and file/flags', () => {
    expect(parseScenario(scenario(''), 's.yaml', { cpuCount: 2 }).compare).toBeUndefined();
    const s = parseScenario(scenario('compare: { thresholdsPercent: { p99: 40, throughput: 8 } }'), 's.yaml', { cpuCount: 2 });
    expect(s.compare).toEqual({ thresholdsPercent: { p99: 40, throughput: 8 } });
    const r = resolveThresholds(s.compare!.thresholdsPercent, parseThresholdsFile('p99: 30\n', 't.yaml'), parseThresholdFlags(['throughput=6']));
    expect(r).toEqual({ ...DEFAULT_THRESHOLDS_PERCENT, p99: 30, throughput: 6 });
    expect(resolveThresholds(s.compare!.thresholdsPercent)).toEqual({ ...DEFAULT_THRESHOLDS_PERCENT, p99: 40, throughput: 8 });
  });

  it('rejects unknown metrics and negative values, all at once', () => {
    let error: unknown;
    try {
      parseScenario(scenario('compare: { thresholdsPercent: { p98: 40, p99: -1 } }'), 's.yaml', { cpuCount: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/p98/);
    expect(problems).toMatch(/compare\.thresholdsPercent\.p99 must be ≥ 0/);
  });
});
