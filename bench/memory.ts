/**
 * Memory stays flat over a long step: runs a short and a long open-loop step against an in-process
 * fake server and compares the heap after a full GC. Latencies live in fixed-size HDR histograms, so
 * the heap must not grow with the number of requests.
 *
 *   node --expose-gc --import tsx bench/memory.ts [--rate 5000] [--short 1] [--long 10] [--rounds 1]
 *
 * Prints one JSON object: requests and heap bytes of each step, and bytes of heap per extra request
 * (the smallest over the rounds, with every round's figure beside it).
 */
import { OpenLoopEngine } from '../src/load/openloop/engine.ts';
import type { StepSpec } from '../src/load/types.ts';
import { startFakeServer } from '../tests/helpers/fake-server.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const server = await startFakeServer({ keepPaths: 0 });
const spec = (durationS: number): StepSpec => ({
  baseUrl: server.url,
  pathTemplate: '/users/{id}',
  ids: { distribution: 'zipf', min: 1, max: 10_000, zipfS: 1.1, seed: 1 },
  rateRps: arg('rate', 5000),
  durationS,
  connections: 16,
  workers: 1,
  timeoutMs: 2000,
  generatorCpuset: null,
  intervalMs: 1000,
});

async function heapAfter(durationS: number): Promise<{ requests: number; heapBytes: number }> {
  const step = await new OpenLoopEngine().runStep(spec(durationS));
  gc!();
  gc!();
  return { requests: step.counts.completed, heapBytes: process.memoryUsage().heapUsed };
}

try {
  // Warm-up with one step of each length: JIT code and V8 feedback grow with the first long run
  // whatever it stores, so only the second round is compared.
  await heapAfter(arg('short', 1));
  await heapAfter(arg('long', 10));
  // V8's heap after GC still moves by a few hundred kB from run to run: the smallest growth over
  // `rounds` pairs is the one least blurred by that noise (a real per-request cost shows in every one).
  const rounds: Array<{ short: { requests: number; heapBytes: number }; long: { requests: number; heapBytes: number }; bytesPerExtraRequest: number }> = [];
  for (let i = 0; i < arg('rounds', 1); i++) {
    const short = await heapAfter(arg('short', 1));
    const long = await heapAfter(arg('long', 10));
    const extra = Math.max(1, long.requests - short.requests);
    rounds.push({ short, long, bytesPerExtraRequest: (long.heapBytes - short.heapBytes) / extra });
  }
  const best = rounds.reduce((a, b) => (b.bytesPerExtraRequest < a.bytesPerExtraRequest ? b : a));
  console.log(JSON.stringify({ ...best, rounds: rounds.map((r) => r.bytesPerExtraRequest) }));
} finally {
  await server.close();
}
