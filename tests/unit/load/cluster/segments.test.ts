import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/errors.ts';
import { threadShares } from '../../../../src/load/cluster/agent.ts';
import { interleave, shareRateRps, splitAcrossNodes } from '../../../../src/load/cluster/segments.ts';
import { intendedSendTimesUs } from '../../../../src/load/openloop/schedule.ts';
import type { ShareSpec } from '../../../../src/load/openloop/share.ts';

describe('the schedule as one function (schedule.ts)', () => {
  it('staggers connections into one evenly spaced stream: 4 connections at 1,000 req/s for 10 ms', () => {
    // period 4 ms, phases 0, 1, 2, 3 ms: sends at 0,1,…,9 ms, each once.
    expect(intendedSendTimesUs(1000, 4, [0, 1, 2, 3], 0.01)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect(intendedSendTimesUs(1000, 4, [1, 3], 0.01)).toEqual([1000, 3000, 5000, 7000, 9000]);
  });
});

describe('shares across nodes (segments.ts)', () => {
  it('interleaves connections: g goes to node g mod N', () => {
    expect(splitAcrossNodes(7, 3)).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    expect(interleave([1, 4, 7, 10, 13], 2)).toEqual([
      [1, 7, 13],
      [4, 10],
    ]);
  });

  it.each([
    [1, 1, 1000, 1],
    [2, 32, 10_000, 2],
    [3, 7, 3333, 1.5],
    [5, 64, 200_000, 0.25],
  ])('N=%i nodes, C=%i connections at %i req/s for %f s: the shares\' send times as a set are one machine\'s', (nodes, connections, rate, durationS) => {
    const one = intendedSendTimesUs(rate, connections, Array.from({ length: connections }, (_, g) => g), durationS);
    const shares = splitAcrossNodes(connections, nodes).map((indices) => intendedSendTimesUs(rate, connections, indices, durationS));
    const union = shares.flat().sort((a, b) => a - b);
    // Same multiset: equal length and equal sorted contents (no send twice, none missing).
    expect(union).toEqual(one);
    expect(union.length).toBe(one.length);
    // Every node offers its part of the rate: shares differ by at most one connection's sends.
    const sizes = shares.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(Math.ceil(durationS * rate / connections) + 1);
  });

  it('a node share split again over threads keeps the same schedule (two levels of interleaving)', () => {
    const connections = 10;
    const base: ShareSpec = {
      host: '127.0.0.1', port: 1, tls: false, hostHeader: 'x', serverName: null, pathTemplate: '/', ids: { distribution: 'uniform', min: 1, max: 10, zipfS: 1.1, seed: 1 },
      idsStream: 1, rateRps: 500, totalConnections: connections, connectionIndices: [], durationS: 0.1, timeoutMs: 1000, intervalMs: 1000, pacing: 'spin',
    };
    const one = intendedSendTimesUs(500, connections, [...Array(connections).keys()], 0.1);
    const threads = splitAcrossNodes(connections, 2).flatMap((indices, node) => threadShares({ ...base, idsStream: node, connectionIndices: indices }, 3));
    expect(threads.flatMap((t) => intendedSendTimesUs(500, connections, t.connectionIndices, 0.1)).sort((a, b) => a - b)).toEqual(one);
    // Every thread draws ids from its own stream.
    expect(new Set(threads.map((t) => t.idsStream)).size).toBe(threads.length);
  });

  it('refuses fewer connections than nodes, and no nodes, as bad input', () => {
    expect(() => splitAcrossNodes(2, 3)).toThrow(ConfigError);
    expect(() => splitAcrossNodes(2, 3)).toThrow('2 connections cannot be split over 3 generator nodes');
    expect(() => splitAcrossNodes(4, 0)).toThrow(ConfigError);
  });

  it('gives each share its part of the rate', () => {
    expect(shareRateRps(10_000, 32, 16)).toBe(5000);
    expect(shareRateRps(900, 3, 1)).toBe(300);
    expect(shareRateRps(null, 32, 16)).toBeNull();
  });
});
