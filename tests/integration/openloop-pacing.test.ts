/**
 * Spin pacing against a fake server on port 0: the engine reports what it is (pacing, work CPU,
 * read delays for every response), and a stall of its own measuring thread is detected and put
 * beside the tail it could have caused, never silently blended into the target's figures.
 */
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenLoopEngine } from '../../src/load/openloop/engine.ts';
import type { StepSpec } from '../../src/load/types.ts';
import { startFakeServer, type FakeServer } from '../helpers/fake-server.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const spec = (url: string, over: Partial<StepSpec> = {}): StepSpec => ({
  baseUrl: url,
  pathTemplate: '/users/{id}',
  ids: { distribution: 'uniform', min: 1, max: 100, zipfS: 1.1, seed: 1 },
  rateRps: 1000,
  durationS: 1.5,
  connections: 8,
  workers: 1,
  timeoutMs: 2000,
  generatorCpuset: null,
  ...over,
});

describe('open-loop engine, spin pacing', () => {
  it('is the default, and accounts every response and its own work', async () => {
    server = await startFakeServer({});
    const step = await new OpenLoopEngine().runStep(spec(server.url));
    const g = step.generator;
    expect(g.pacing).toBe('spin');
    expect(step.counts.intended).toBe(1500);
    expect(step.counts.completed).toBe(step.counts.sent);
    // One read delay per completed response; the work share can't exceed the wall time.
    expect(g.readDelayUs!.count).toBe(step.counts.completed);
    expect(g.workCpuPercent).toBeGreaterThan(0);
    expect(g.workCpuPercent!).toBeLessThanOrEqual(100.5);
    expect(g.stalls!.thresholdUs).toBe(250);
    expect(step.histograms.readDelay).not.toBeNull();
    expect(step.histograms.loopTurn).not.toBeNull();
  });

  it('detects stalls of its own measuring thread and puts the tail they reach in doubt', async () => {
    // The server must not share the blocked thread (an in-process server would stall with it and
    // answer late, which is the server's latency): a plain Node server in its own process.
    // It answers after 5 ms, so at 1,000 req/s some five requests are always in flight: every block
    // of the generator's thread catches responses that arrive while it cannot read them.
    const child = execa('node', ['-e', "require('http').createServer((q, s) => setTimeout(() => s.end('ok'), 5)).listen(0, '127.0.0.1', function () { console.log(this.address().port); })"]);
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
      child.catch(reject);
    });
    // Block this thread (the in-process share's) for 30 ms every 150 ms: ~20 % of the time, while
    // responses wait unread in the socket. Those reads are late by the generator's fault.
    const blocker = setInterval(() => {
      const until = performance.now() + 30;
      while (performance.now() < until) {
        // busy: the event loop cannot poll its sockets
      }
    }, 150);
    try {
      const step = await new OpenLoopEngine().runStep(spec(`http://127.0.0.1:${port}`));
      const g = step.generator;
      expect(g.stalls!.responses).toBeGreaterThan(step.counts.completed * 0.01);
      expect(g.readDelayUs!.max).toBeGreaterThanOrEqual(20_000);
      // Which tail the stalls reach depends on how many responses a 30 ms block catches on this
      // machine; the deepest tails are always in reach (> 0.1 % of responses stalled, by 20+ ms).
      const doubted = g.latencyCaveats!.map((c) => c.percentile);
      const detail = JSON.stringify({ stalls: g.stalls, readDelayUs: g.readDelayUs, latency: step.latencyUs.corrected });
      expect(doubted, detail).toContain('p999');
      expect(g.latencyCaveats!.find((c) => c.percentile === 'p999')!.reason).toMatch(/read after a generator stall \(> 250 µs\)/);
    } finally {
      clearInterval(blocker);
      child.kill();
      await child.catch(() => {});
    }
  });

  it('sleep pacing says it is less precise and estimates stalls from the event-loop delay', async () => {
    server = await startFakeServer({});
    const step = await new OpenLoopEngine().runStep(spec(server.url, { pacing: 'sleep' }));
    expect(step.generator.pacing).toBe('sleep');
    expect(step.notes.some((n) => n.startsWith('sleep pacing: response times include'))).toBe(true);
    expect(step.generator.readDelayUs).not.toBeNull();
    expect(step.histograms.readDelay).toBeNull();
  });

  it('reports live progress about twice a second, in-process and from worker threads, and never after the step', async () => {
    server = await startFakeServer({});
    for (const workers of [1, 2]) {
      const snapshots: Array<{ elapsedMs: number; sent: number; completed: number; p99Us: number | null }> = [];
      let resolved = false;
      const step = await new OpenLoopEngine().runStep(spec(server.url, { workers, pacing: 'sleep' }), undefined, {
        onProgress: (s) => {
          expect(resolved).toBe(false);
          snapshots.push(s);
        },
      });
      resolved = true;
      await new Promise((r) => setTimeout(r, 600));
      // 1.5 s at 500 ms: two or three snapshots, counters growing and never past the final counts.
      expect(snapshots.length).toBeGreaterThanOrEqual(2);
      expect(snapshots.length).toBeLessThanOrEqual(4);
      for (let i = 1; i < snapshots.length; i++) expect(snapshots[i]!.sent).toBeGreaterThanOrEqual(snapshots[i - 1]!.sent);
      expect(snapshots.at(-1)!.completed).toBeLessThanOrEqual(step.counts.completed);
      expect(snapshots.at(-1)!.p99Us).not.toBeNull();
    }
  });
});
