import { describe, expect, it } from 'vitest';
import { comparisonRows, formatRows, parseTwoHostArgs, type RunFigures } from '../../../bench/two-host-lib.ts';
import { makeStep, percentiles } from '../../helpers/sample-run.ts';

function target(name: string, maxRps: number, steps: ReturnType<typeof makeStep>[], status = 'completed'): RunFigures['targets'][number] {
  return { name, configuration: 'c', repetition: 0, status, maxThroughputRps: maxRps, steps: [makeStep({ kind: 'max', achievedRps: maxRps, generatorBound: name === 'go' }), ...steps] };
}

describe('parseTwoHostArgs', () => {
  it('reads the flags and refuses unknown ones, missing values and unbounded timeouts', () => {
    expect(parseTwoHostArgs([])).toEqual({ scenario: null, targets: null, out: null, timeoutMin: 20, imageTag: 'two-host-bench' });
    expect(parseTwoHostArgs(['--targets', 'go-chi', '--timeout-min', '5', '--out', 'x'])).toMatchObject({ targets: 'go-chi', timeoutMin: 5, out: 'x' });
    expect(() => parseTwoHostArgs(['--rates', '1'])).toThrow(/unknown flag --rates/);
    expect(() => parseTwoHostArgs(['--out'])).toThrow(/--out needs a value/);
    expect(() => parseTwoHostArgs(['--timeout-min', '0'])).toThrow(/minutes/);
  });
});

describe('comparisonRows', () => {
  it('lines up max throughput, p50/p99 at the rates both runs measured, and the network floor', () => {
    const single: RunFigures = {
      status: 'completed',
      targets: [target('go', 9000, [makeStep({ offeredRps: 200, achievedRps: 200, corrected: percentiles(500, 900, 1500) }), makeStep({ offeredRps: 500, achievedRps: 500, corrected: percentiles(600, 1000, 2000) })])],
    };
    const two: RunFigures = {
      status: 'failed',
      network: { host: '198.18.0.2', rateRps: 100, durationS: 2, floorUs: percentiles(80, 100, 250), error: null },
      targets: [target('go', 12000, [makeStep({ offeredRps: 200, achievedRps: 200, corrected: percentiles(700, 1000, 2500) })], 'failed')],
    };
    expect(comparisonRows(single, two)).toEqual([
      ['', 'single host (127.0.0.1)', 'two hosts (over the veth)'],
      ['run status', 'completed', 'failed'],
      ['network floor', '—', 'p50 0.08 ms, p99 0.25 ms to 198.18.0.2'],
      ['go/c#1 status', 'completed', 'failed'],
      ['go/c#1 max throughput', '≥ 9000 req/s', '≥ 12000 req/s'],
      // 500 req/s: measured by one run only, so not a row.
      ['go/c#1 at 200 req/s', 'p50 0.50 ms, p99 1.50 ms', 'p50 0.70 ms, p99 2.50 ms'],
    ]);
  });

  it('shows a target only one run has with dashes for the other, and pads columns', () => {
    const rows = comparisonRows({ status: 'completed', targets: [target('py', 1234.4, [])] }, { status: 'no run.json', targets: [] });
    expect(rows.slice(3)).toEqual([
      ['py/c#1 status', 'completed', '—'],
      ['py/c#1 max throughput', '1234 req/s', '—'],
    ]);
    expect(formatRows([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc  d');
  });
});
