/**
 * The open-loop engine against in-process fake servers: relationships that must hold, not exact
 * latencies (the server shares this process, so timings carry its noise).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { OpenLoopEngine } from '../../src/load/openloop/engine.ts';
import type { StepSpec } from '../../src/load/types.ts';
import { startFakeServer, type FakeServer, type FakeServerOptions } from '../helpers/fake-server.ts';
import { stepSpec } from '../helpers/step-spec.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(serverOptions: FakeServerOptions, step: Partial<StepSpec>) {
  server = await startFakeServer(serverOptions);
  const spec: StepSpec = stepSpec(server.url, step);
  const t0 = performance.now();
  const result = await new OpenLoopEngine().runStep(spec);
  return { result, wallMs: performance.now() - t0 };
}

describe('open-loop engine', () => {
  it('measures a fixed 20 ms delay at the offered rate', async () => {
    const { result } = await run({ delayMs: 20 }, { rateRps: 200, durationS: 2, connections: 16 });
    const { counts, latencyUs } = result;
    expect(counts.sent).toBe(400);
    expect(counts.completed).toBe(400);
    expect(counts.dropped).toBe(0);
    expect(server!.requestCount).toBe(400);
    expect(Math.abs(result.achievedRps - 200) / 200).toBeLessThanOrEqual(0.01);
    expect(latencyUs.uncorrected.p50).toBeGreaterThanOrEqual(20_000);
    expect(latencyUs.uncorrected.p50).toBeLessThan(25_000);
    expect(Math.abs(latencyUs.corrected!.p50 - latencyUs.uncorrected.p50)).toBeLessThan(1000);
    expect(latencyUs.corrected!.count).toBe(400);
    // ids from the template's id sequence, within min..max
    for (const p of server!.paths) expect(p).toMatch(/^\/users\/([1-9]|[1-9][0-9]|100)$/);
  });

  it('shows a periodic stall in the corrected tail, not in the uncorrected one', async () => {
    // 4 connections at 1000 rps: during each 300 ms stall only 4 requests are in flight (uncorrected
    // sees those), while ~300 scheduled requests queue behind them (corrected sees all of them).
    const { result } = await run({ stall: { everyMs: 1000, forMs: 300 } }, { rateRps: 1000, durationS: 2, connections: 4 });
    const { corrected, uncorrected } = result.latencyUs;
    expect(corrected!.p99).toBeGreaterThanOrEqual(150_000);
    expect(uncorrected.p99).toBeLessThan(corrected!.p99 / 4);
    expect(uncorrected.max).toBeGreaterThanOrEqual(150_000); // the in-flight ones did wait
  });

  it('counts a hung server as timeouts and returns within duration + timeout + slack', async () => {
    const { result, wallMs } = await run({ hangFraction: 1 }, { rateRps: 50, durationS: 1, connections: 4, timeoutMs: 300 });
    const { counts } = result;
    expect(counts.completed).toBe(0);
    expect(counts.timeouts).toBeGreaterThan(0);
    expect(counts.timeouts).toBe(counts.sent); // every request sent got no answer
    expect(counts.errors).toBe(0);
    expect(counts.dropped).toBe(50 - counts.sent);
    expect(wallMs).toBeLessThan(1000 + 300 + 700);
  });

  it('counts connection resets as errors by kind and keeps sending', async () => {
    const { result } = await run({ resetFraction: 0.1 }, { rateRps: 200, durationS: 1 });
    const { counts } = result;
    expect(counts.errorsByKind.ECONNRESET).toBe(counts.errors);
    expect(counts.errors).toBeGreaterThanOrEqual(15);
    expect(counts.completed + counts.errors + counts.timeouts).toBe(counts.sent);
    expect(counts.sent).toBe(server!.requestCount);
    expect(counts.completed).toBeGreaterThan(150);
  });

  it('agrees with itself on an idle fast server: corrected ≈ uncorrected median (≤ 100 µs)', async () => {
    const { result } = await run({}, { rateRps: 200, durationS: 1 });
    expect(result.counts.completed).toBe(200);
    expect(Math.abs(result.latencyUs.corrected!.p50 - result.latencyUs.uncorrected.p50)).toBeLessThanOrEqual(100);
    expect(result.generator.latenessUs!.p50).toBeLessThan(1000);
  });

  it('counts non-2xx responses exactly', async () => {
    const { result } = await run({ errorFraction: 0.25 }, { rateRps: 100, durationS: 1 });
    expect(result.counts.completed).toBe(100);
    expect(result.counts.non2xx).toBe(25);
    expect(result.counts.errors).toBe(0);
  });

  it('merges two worker threads exactly (chunked responses)', async () => {
    const { result } = await run({ chunked: true }, { rateRps: 400, durationS: 1, connections: 8, workers: 2 });
    const { counts, latencyUs, generator, histograms } = result;
    expect(generator.workers).toBe(2);
    expect(counts.sent).toBe(400);
    expect(counts.completed).toBe(400);
    expect(server!.requestCount).toBe(400);
    expect(latencyUs.uncorrected.count).toBe(400);
    expect(latencyUs.corrected!.count).toBe(400);
    // The interval log holds every corrected value once.
    const reader = new hdr.HistogramLogReader(histograms.intervalLog!);
    let total = 0;
    for (let h = reader.nextIntervalHistogram(); h; h = reader.nextIntervalHistogram()) total += h.totalCount;
    expect(total).toBe(400);
    // Each worker used its own id stream: not all ids of the run come from one sequence.
    expect(new Set(server!.paths).size).toBeGreaterThan(50);
  });

  it('runs closed loop when rateRps is null (corrected latency null)', async () => {
    const { result } = await run({ delayMs: 10 }, { rateRps: null, durationS: 1, connections: 4 });
    expect(result.offeredRps).toBeNull();
    expect(result.latencyUs.corrected).toBeNull();
    expect(result.generator.latenessUs).toBeNull();
    // 4 connections × ~10 ms per round trip ≈ 400 requests/s
    expect(result.counts.completed).toBeGreaterThan(250);
    expect(result.counts.completed).toBeLessThanOrEqual(400);
  });

  it('closed loop: a figure at or above the measured ceiling is the load side\'s, one far below it is not', async () => {
    // 4 connections × 10 ms ≈ 400 req/s (less on a busy machine): above a ceiling of 100, far below 100,000.
    // The exact margin is unit-tested (generator-bound.test.ts); this checks the engine applies the rule.
    const near = await run({ delayMs: 10 }, { rateRps: null, durationS: 1, connections: 4, ceiling: { rps: 100, limitedBy: 'generator', marginFraction: 0.1 } });
    expect(near.result.achievedRps).toBeGreaterThan(100);
    expect(near.result.generator.bound).toBe(true);
    expect(near.result.generator.boundReasons[0]).toMatch(/^closed-loop step: \d+ req\/s is above the load side's ceiling measured in this run, 100 req\/s/);
    await server?.close();
    const clear = await run({ delayMs: 10 }, { rateRps: null, durationS: 1, connections: 4, ceiling: { rps: 100_000, limitedBy: 'generator', marginFraction: 0.1 } });
    expect(clear.result.generator.bound).toBe(false);
  });

  it('with several workers, pins each measuring thread to its own CPU when there are enough', async () => {
    const { result } = await run({}, { rateRps: null, durationS: 0.5, connections: 4, workers: 2, pacing: 'sleep' });
    const cpus = (await import('node:os')).availableParallelism();
    if (cpus >= 2) expect(result.notes).toContain('measuring threads pinned one per CPU: 0, 1');
    else expect(result.notes.some((n) => n.startsWith('measuring threads not pinned one per CPU'))).toBe(true);
  });

  it('counts a refused connection once per intended request, never per reconnect attempt', async () => {
    server = await startFakeServer({});
    const url = server.url;
    await server.close();
    server = undefined;
    const result = await new OpenLoopEngine().runStep({
      baseUrl: url, pathTemplate: '/', ids: { distribution: 'uniform', min: 1, max: 1, zipfS: 1.1, seed: 1 },
      rateRps: 50, durationS: 0.5, connections: 2, workers: 1, timeoutMs: 200, generatorCpuset: null,
    });
    // 50 req/s for 0.5 s = 25 intended requests; the connections retried every 10 ms (≈ 100
    // attempts), but only the 25 requests they kept from being sent are errors.
    expect(result.counts.sent).toBe(0);
    expect(result.counts.intended).toBe(25);
    expect(result.counts.errors).toBe(25);
    expect(result.counts.errorsByKind).toEqual({ ECONNREFUSED: 25 });
    expect(result.counts.dropped).toBe(0);
    expect(result.counts.connectFailures).toBeGreaterThan(25);
    expect(result.latencyUs.corrected!.count).toBe(0);
  });
});
