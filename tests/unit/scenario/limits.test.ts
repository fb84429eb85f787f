/**
 * #23 defect 11: numbers Node timers cannot hold (above 2^31 − 1 ms a timer fires after 1 ms) and
 * counts beyond what they can mean are refused with a clear error (exit 2), in the scenario, the
 * claims file and the `load` flags — never accepted to misbehave later.
 */
import { describe, expect, it } from 'vitest';
import { parseClaimsFile } from '../../../src/analysis/claims-file.ts';
import { stepSpecFromArgs } from '../../../src/cli/commands/load.ts';
import { ConfigError } from '../../../src/errors.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { MAX_TIMER_MS, MAX_STEP_DURATION_S, MAX_STARTUP_TIMEOUT_S, MAX_REQUEST_TIMEOUT_MS } from '../../../src/util/limits.ts';

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(2);
    return (e as ConfigError).problems;
  }
  throw new Error('accepted');
}

const scenario = (extra: string, load = '') => `name: s\ntargets: [{ name: a, url: "http://127.0.0.1:1/" }]\nload: { steps: { rates: [100] }${load} }\n${extra}\n`;

describe('bounds on durations and counts', () => {
  it('every bound keeps its timer far below 2^31 − 1 ms', () => {
    expect(MAX_STEP_DURATION_S * 1000).toBeLessThan(MAX_TIMER_MS / 10);
    expect(MAX_STARTUP_TIMEOUT_S * 1000).toBeLessThan(MAX_TIMER_MS / 10);
    expect(MAX_REQUEST_TIMEOUT_MS).toBeLessThan(MAX_TIMER_MS / 10);
  });

  it('scenario: the numbers of the issue (3e6 s, 3e9 ms, 1e300, 1e6 repetitions) are each one problem', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['startupTimeoutS: 3000000', '', /^startupTimeoutS: startupTimeoutS must be ≤ 3600 s/],
      ['', ', timeoutMs: 3000000000', /^load.timeoutMs: load.timeoutMs must be ≤ 60000/],
      ['', ', warmupS: 1e300', /^load.warmupS: load.warmupS must be ≤ 86400 s/],
      ['', ', max: { durationS: 1e300 }', /^load.max.durationS: load.max.durationS must be ≤ 86400 s/],
      ['', ', calibration: { durationS: 3000000 }', /^load.calibration.durationS: .* must be ≤ 86400 s/],
      ['repeat: 1000000', '', /^repeat: repeat must be ≤ 1000/],
      ['', ', connections: 1000000', /^load.connections: load.connections must be ≤ 65535/],
      ['', ', knee: { refineSteps: 1000 }', /refineSteps must be ≤ 30/],
      ['slo: { p99Ms: 1e300 }', '', /slo.p99Ms must be ≤ 60000/],
      ['database: { startupTimeoutS: 1e300 }', '', /database.startupTimeoutS must be ≤ 3600 s/],
    ];
    for (const [extra, load, expected] of cases) {
      const problems = problemsOf(() => parseScenario(scenario(extra, load), 's.yaml', { cpuCount: 2 }));
      expect(problems, `${extra}${load}`).toHaveLength(1);
      expect(problems[0], `${extra}${load}`).toMatch(expected);
    }
    const rates = problemsOf(() => parseScenario(scenario('').replace('rates: [100]', 'rates: [1e-300, 1e300]'), 's.yaml', { cpuCount: 2 }));
    expect(rates).toEqual(['load.steps.rates[0]: load.steps.rates[] must be ≥ 0.01 req/s', 'load.steps.rates[1]: load.steps.rates[] must be ≤ 10000000 req/s']);
    // The shipped scenarios are well inside every bound.
    expect(() => parseScenario(scenario('startupTimeoutS: 3600\nrepeat: 1000', ', timeoutMs: 60000, warmupS: 86400'), 's.yaml', { cpuCount: 2 })).not.toThrow();
  });

  it('claims: a rate or CPU count beyond meaning is refused', () => {
    const claims = (metric: string, extra = '') => `claims:\n  - { id: c, quote: q, articleFigure: f, metric: ${metric}, rule: { op: lt, value: 1 }${extra} }\n`;
    expect(problemsOf(() => parseClaimsFile(claims('{ kind: latencyAtRateMs, target: a, percentile: p99, rateRps: 1e300 }'), 'c.yaml'))).toHaveLength(1);
    expect(problemsOf(() => parseClaimsFile(claims('{ kind: coldStartMs, target: a }', ', minTargetCpus: 1000000'), 'c.yaml'))).toHaveLength(1);
  });

  it('load flags: huge durations, timeouts and counts are refused, all at once', async () => {
    const args = { url: 'http://127.0.0.1:1/', rate: 1e300, duration: 3e6, connections: 1e6, workers: 1e6, timeout: 3e9, 'ids-max': 1e300, engine: 'openloop', pacing: 'sleep', json: false, 'allow-remote': false } as const;
    const error = await stepSpecFromArgs(args as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      '--rate must be ≤ 10000000 req/s (got 1e+300)',
      '--duration must be ≤ 86400 s (got 3000000)',
      '--connections must be ≤ 65535 (got 1000000)',
      '--workers must be ≤ 1024 (got 1000000)',
      '--timeout must be ≤ 60000 ms (got 3000000000)',
      '--ids-max must be ≤ 2147483647 (got 1e+300)',
    ]);
  });
});
