import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import {
  alternatedOrder,
  flagLines,
  DEFAULTS,
  parseFidelityArgs,
  parseVegetaCsvLine,
  renderTable,
  spread,
  summarize,
  vegetaTargets,
  vegetaWindow,
  type Measurement,
} from '../../../bench/fidelity-lib.ts';
import { frameResponse } from '../../../bench/reference/http.ts';
import { intendedSendUs } from '../../../bench/reference/schedule.ts';

const m = (p50Us: number, p99Us: number, extra: Partial<Measurement> = {}): Measurement => ({
  p50Us,
  p95Us: p50Us * 2,
  p99Us,
  p999Us: p99Us * 2,
  offeredRps: 1000,
  achievedRps: 1000,
  cpuPercent: 50,
  failures: 0,
  recorded: 1000,
  flag: null,
  latenessP99Us: null,
  ...extra,
});

describe('reference schedule', () => {
  it('offsets connection g by g/R and spaces its slots C/R apart', () => {
    // R = 1000/s, C = 32: connection 3 starts 3 ms in, then every 32 ms.
    expect(intendedSendUs(0, 3, 0, 1000, 32)).toBe(3000);
    expect(intendedSendUs(0, 3, 2, 1000, 32)).toBe(67_000);
    expect(intendedSendUs(500, 0, 1, 40_000, 32)).toBe(1300);
  });

  it('interleaves all connections into one stream of R evenly spaced sends', () => {
    const times: number[] = [];
    for (let g = 0; g < 4; g++) for (let n = 0; n < 3; n++) times.push(intendedSendUs(0, g, n, 4000, 4));
    expect(times.sort((a, b) => a - b)).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 2750]);
  });
});

describe('reference response framing', () => {
  const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  it('completes a response exactly at its Content-Length', () => {
    expect(frameResponse(Buffer.from(ok))).toEqual({ status: 200 });
    expect(frameResponse(Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n'))).toEqual({ status: 404 });
  });
  it('waits for the rest of the head and of the body', () => {
    expect(frameResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Len'))).toBe('more');
    expect(frameResponse(Buffer.from(ok.slice(0, -1)))).toBe('more');
  });
  it('rejects what it cannot frame: no length, extra bytes, not HTTP', () => {
    expect(frameResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'))).toBe('error');
    expect(frameResponse(Buffer.from(`${ok}HTTP`))).toBe('error');
    expect(frameResponse(Buffer.from('SSH-2.0\r\nContent-Length: 0\r\n\r\n'))).toBe('error');
    expect(frameResponse(Buffer.alloc(70 * 1024, 'a'))).toBe('error');
  });
});

describe('parseFidelityArgs', () => {
  it('keeps the defaults without flags', () => {
    expect(parseFidelityArgs([])).toEqual(DEFAULTS);
  });
  it('reads every flag', () => {
    const o = parseFidelityArgs(['--duration', '3', '--rounds', '1', '--rates', '1000,40000', '--targets', 'server', '--generators', 'reference,ours', '--pacing', 'spin', '--warmup', '0', '--out', 'x.json']);
    expect(o).toEqual({ ...DEFAULTS, durationS: 3, rounds: 1, ratesRps: [1000, 40_000], targets: ['server'], generators: ['reference', 'ours'], pacing: 'spin', warmupS: 0, outFile: 'x.json' });
  });
  it('reports every problem at once', () => {
    try {
      parseFidelityArgs(['--rounds', '1.5', '--rates', '1000,x', '--targets', 'nginx', '--bogus', '--duration']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        "--rounds must be a positive integer, got '1.5'",
        "--rates must be a positive integer, got 'x'",
        "--targets: unknown 'nginx' (one of server, go-chi)",
        "unknown argument '--bogus' (flags: --duration --warmup --rounds --rates --connections --targets --generators --pacing --out)",
        '--duration needs a value',
      ]);
    }
  });
});

describe('rounds and spreads', () => {
  it('alternates the order ABC, CBA, ABC', () => {
    expect([0, 1, 2].map((r) => alternatedOrder(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'cba', 'abc']);
  });
  it('takes the median, the middle pair for an even count', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(spread([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10 });
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe('summarize and renderTable', () => {
  const rounds = [
    { reference: m(50, 200), ours: m(100, 300, { cpuPercent: 40, failures: 1 }) },
    { reference: m(100, 200, { achievedRps: 990 }), ours: m(100, 600, { cpuPercent: 60 }) },
    { reference: m(50, 100), ours: m(75, 200, { cpuPercent: 50, achievedRps: 999.99 }) },
  ];
  it('pairs ratios by round and spreads each figure', () => {
    const [ref, ours] = summarize(rounds, ['reference', 'ours', 'vegeta'], 'reference');
    expect(ref!.ratio).toBeNull();
    expect(ref!.latency!.p50Us).toEqual({ median: 50, min: 50, max: 100 });
    expect(ref!.achievedPercent).toEqual({ median: 100, min: 99, max: 100 });
    // p50 ratios per round: 100/50 = 2, 100/100 = 1, 75/50 = 1.5; p99: 1.5, 3, 2.
    expect(ours!.ratio!.p50Us).toEqual({ median: 1.5, min: 1, max: 2 });
    expect(ours!.ratio!.p99Us).toEqual({ median: 2, min: 1.5, max: 3 });
    expect(ours!.cpuPercent).toEqual({ median: 50, min: 40, max: 60 });
    expect(ours!.failures).toBe(1);
  });
  it('leaves runs that recorded nothing out of latency and ratios, not out of the achieved rate', () => {
    const starved = [
      { reference: m(0, 0, { recorded: 0, achievedRps: 0 }), ours: m(100, 300) },
      { reference: m(50, 100), ours: m(100, 400) },
    ];
    const [ref, ours] = summarize(starved, ['reference', 'ours'], 'reference');
    expect(ref!.latency!.p99Us).toEqual({ median: 100, min: 100, max: 100 });
    expect(ref!.achievedPercent).toEqual({ median: 50, min: 0, max: 100 });
    expect(ours!.ratio!.p99Us).toEqual({ median: 4, min: 4, max: 4 });
    const [nothing] = summarize([{ reference: m(0, 0, { recorded: 0 }) }], ['reference'], 'reference');
    expect(renderTable([nothing!]).split('\n')[2]).toBe('| reference | no data | no data | no data | no data | 100.0 % | 50 | 0 |');
  });
  it('lists every flagged run under the table', () => {
    const flagged = [{ reference: m(50, 100), ours: m(60, 120, { flag: 'generator-bound: late sends' }) }, { ours: m(60, 120, { flag: 'x' }) }];
    expect(flagLines(flagged, ['reference', 'ours'])).toEqual(['- ours, round 1: generator-bound: late sends', '- ours, round 2: x']);
  });
  it('renders a Markdown table, ranges only where rounds differ', () => {
    expect(renderTable(summarize(rounds, ['reference', 'ours'], 'reference'))).toBe(
      [
        '| generator | p50 µs | p95 µs | p99 µs | p999 µs | achieved / offered | CPU % | failures |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| reference | 50 [50–100] | 100 [100–200] | 200 [100–200] | 400 [200–400] | 100.0 [99.0–100.0] % | 50 | 0 |',
        '| ours | 100 [75–100] (1.50 [1.00–2.00]×) | 200 [150–200] (1.50 [1.00–2.00]×) | 300 [200–600] (2.00 [1.50–3.00]×) | 600 [400–1200] (2.00 [1.50–3.00]×) | 100.0 % | 50 [40–60] | 1 |',
        '',
      ].join('\n'),
    );
  });
});

describe('vegeta helpers', () => {
  it('reads timestamp, code and latency from a CSV result line', () => {
    expect(parseVegetaCsvLine('1764279000123456789,200,81234,0,0,,,,7,GET,http://127.0.0.1:1/users/5,')).toEqual({ timestampNs: 1764279000123456789n, code: 200, latencyNs: 81234 });
    expect(parseVegetaCsvLine('1764279000123456789,0,2000000,0,0,"Get ""http://x"": timeout",,,8,GET,u,')!.code).toBe(0);
    expect(parseVegetaCsvLine('continued error text",,,9,GET,u,')).toBeNull();
  });
  it('keeps hits that started in the window after the earliest start, whatever the line order', () => {
    const hits = [
      { atNs: 3e9, code: 200, latencyNs: 5000 }, // completed first, started 1 s after the earliest
      { atNs: 2e9, code: 200, latencyNs: 1_000_000 }, // the earliest start: the window opens at 2 s + warm-up
      { atNs: 2.5e9, code: 200, latencyNs: 7000 }, // in the warm-up
      { atNs: 3.5e9, code: 0, latencyNs: 2_000_000 }, // a failure in the window
      { atNs: 5e9, code: 200, latencyNs: 9000 }, // at the end of the window: out
    ];
    expect(vegetaWindow(hits, 1, 2)).toEqual({ latenciesUs: [5], ok: 1, failures: 1 });
  });
  it('writes one JSON target per id', () => {
    expect(vegetaTargets('http://127.0.0.1:9', '/users/{id}', [7, 42])).toBe('{"method":"GET","url":"http://127.0.0.1:9/users/7"}\n{"method":"GET","url":"http://127.0.0.1:9/users/42"}\n');
  });
});
