import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTOCANNON_RATE_NOTES, AutocannonEngine } from '../../src/load/autocannon.ts';
import type { StepObserver, StepProgressSnapshot, StepSpec } from '../../src/load/types.ts';
import { startFakeServer, type FakeServer, type FakeServerOptions } from '../helpers/fake-server.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(serverOptions: FakeServerOptions, step: Partial<StepSpec>, signal?: AbortSignal, observer?: StepObserver) {
  server = await startFakeServer(serverOptions);
  return new AutocannonEngine().runStep({
    baseUrl: server.url,
    pathTemplate: '/items/{id}',
    ids: { distribution: 'sequential', min: 1, max: 5, zipfS: 1.1, seed: 1 },
    rateRps: null,
    durationS: 1,
    connections: 4,
    workers: 1,
    timeoutMs: 1000,
    generatorCpuset: null,
    ...step,
  }, signal, observer);
}

describe('autocannon engine', () => {
  it('reports live progress at 2 Hz: cumulative counters and the p99 so far', async () => {
    const seen: StepProgressSnapshot[] = [];
    const started = performance.now();
    const step = await run({ delayMs: 3 }, { durationS: 1.6 }, undefined, { onProgress: (s) => seen.push(s) });
    const wallMs = performance.now() - started;
    // One report per 500 ms of the step (at most 2 Hz), none after it ended.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThanOrEqual(Math.floor(wallMs / 500));
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.elapsedMs - seen[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(450);
      expect(seen[i]!.completed).toBeGreaterThanOrEqual(seen[i - 1]!.completed);
    }
    const last = seen.at(-1)!;
    expect(last.completed).toBeGreaterThan(0);
    expect(last.completed).toBeLessThanOrEqual(step.counts.completed);
    expect(last.errors).toBe(0);
    expect(last.p99Us).toBeGreaterThanOrEqual(3000);
    expect(last.p99Us).toBeLessThanOrEqual(step.latencyUs.uncorrected.max);
  });

  it('leaves no abort listener behind on the run\'s signal (one signal serves many steps)', async () => {
    const controller = new AbortController();
    await run({}, { durationS: 0.3 }, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('records each response in µs (uncorrected only) and spreads requests over ids', async () => {
    const result = await run({ delayMs: 10 }, {});
    expect(result.engine).toBe('autocannon');
    expect(result.latencyUs.corrected).toBeNull();
    expect(result.generator.latenessUs).toBeNull();
    expect(result.counts.completed).toBeGreaterThan(100);
    expect(result.latencyUs.uncorrected.count).toBe(result.counts.completed);
    expect(result.latencyUs.uncorrected.p50).toBeGreaterThanOrEqual(10_000);
    // µs resolution, not whole milliseconds: some value is not a multiple of 1000
    expect(result.latencyUs.uncorrected.mean % 1000).not.toBe(0);
    expect(new Set(server!.paths)).toEqual(new Set(['/items/1', '/items/2', '/items/3', '/items/4', '/items/5']));
    expect(result.notes).toEqual([]);
  });

  it('counts non-2xx and carries its limits as notes in rate mode', async () => {
    const result = await run({ errorFraction: 0.5 }, { rateRps: 100 });
    expect(result.offeredRps).toBe(100);
    for (const note of AUTOCANNON_RATE_NOTES) expect(result.notes).toContain(note);
    expect(result.counts.non2xx).toBeGreaterThan(0);
    expect(Math.abs(result.counts.non2xx - result.counts.completed / 2)).toBeLessThanOrEqual(1);
  });

  it('counts timeouts without throwing', async () => {
    const result = await run({ hangFraction: 1 }, { durationS: 1.5, timeoutMs: 1000 });
    expect(result.counts.completed).toBe(0);
    expect(result.counts.timeouts).toBeGreaterThan(0);
    expect(result.counts.errors).toBe(0);
  });
});
