/**
 * `npm run bench:duet`: why `httpbench ab` measures both sides at once. Two containers of the SAME
 * image (so every true ratio is 1) on the target CPU; per pair and rate, one open-loop step against
 * A then one against B (alternating, the order swapped every pair), and one step against both at once
 * from one generator thread (duet, src/load/openloop/side-by-side.ts, the phases swapped every pair).
 * Per design, rate and percentile: the spread (sample standard deviation) of log(B/A) over the pairs —
 * what the paired judge's interval is made of — and of log(A) alone (how much the machine moved).
 *
 * Flags: --pairs N (12) --rates 200,500 --step-s S (2) --target go-chi|fastapi (go-chi)
 *        --generator-cpus LIST (0) --target-cpu N (1) --out FILE (JSON of every step's percentiles).
 * Loopback only; every step bounded by its duration and the engine's timeout.
 */
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenLoopEngine } from '../src/load/openloop/engine.ts';
import { halfSlotUs, runSideBySide } from '../src/load/openloop/side-by-side.ts';
import type { EngineStep, StepSpec } from '../src/load/types.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { isDockerTarget, type DockerTargetSpec } from '../src/scenario/schema.ts';
import { connectDocker, imageInfo, startDockerTarget } from '../src/targets/docker.ts';
import type { RunningTarget } from '../src/targets/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const PAIRS = Number(arg('pairs', '12'));
const RATES = arg('rates', '200,500').split(',').map(Number);
const STEP_S = Number(arg('step-s', '2'));
const TARGET = arg('target', 'go-chi');
const GENERATOR_CPUS = arg('generator-cpus', '0');
const TARGET_CPU = arg('target-cpu', '1');
const OUT = process.argv.includes('--out') ? arg('out', '') : null;
if (!Number.isInteger(PAIRS) || PAIRS < 3 || PAIRS > 100) throw new Error('--pairs: a whole number from 3 to 100');
if (RATES.some((r) => !(r > 0 && r <= 20_000))) throw new Error('--rates: rates from 1 to 20,000 req/s');
if (!(STEP_S > 0 && STEP_S <= 60)) throw new Error('--step-s: seconds from 0 to 60');
if (!['go-chi', 'fastapi'].includes(TARGET)) throw new Error('--target: go-chi or fastapi');

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const PERCENTILES = ['p50', 'p95', 'p99'] as const;
type Pct = (typeof PERCENTILES)[number];
interface Row {
  design: 'alternating' | 'duet';
  rate: number;
  pair: number;
  a: Record<Pct, number>;
  b: Record<Pct, number>;
}

async function start(name: string): Promise<RunningTarget> {
  const docker = await connectDocker();
  const image = `httpbench/${TARGET}:latest`;
  if (!(await imageInfo(docker, image))) throw new Error(`image ${image} does not exist; build it with 'npx httpbench build ${TARGET}'`);
  const scenario = await loadScenario(path.join(ROOT, 'scenarios', 'ci.yaml'), { cpuCount: os.cpus().length });
  const spec = scenario.targets.find((t): t is DockerTargetSpec => t.name === TARGET && isDockerTarget(t))!;
  return startDockerTarget(docker, {
    spec,
    configuration: spec.configurations[0]!,
    image,
    cpus: 1,
    cpuset: TARGET_CPU,
    memoryMiB: 256,
    pids: 256,
    startupTimeoutS: 60,
    runId: `duet-${name}-${process.pid}`,
    signal: controller.signal,
  });
}

const stepSpec = (t: RunningTarget, rate: number | null, durationS = STEP_S): StepSpec => ({
  baseUrl: t.baseUrl,
  pathTemplate: '/users/{id}',
  ids: { min: 1, max: 10_000, seed: 1, distribution: 'uniform' } as StepSpec['ids'],
  rateRps: rate,
  durationS,
  connections: rate === null ? 16 : 8,
  workers: 1,
  timeoutMs: 2000,
  generatorCpuset: GENERATOR_CPUS,
  pacing: 'spin',
});
const pcts = (s: EngineStep): Record<Pct, number> => {
  const l = s.latencyUs.corrected ?? s.latencyUs.uncorrected!;
  return { p50: l.p50, p95: l.p95, p99: l.p99 };
};
const sd = (xs: number[]): number => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

async function main(): Promise<void> {
  await execa('taskset', ['-a', '-cp', GENERATOR_CPUS, String(process.pid)]);
  const engine = new OpenLoopEngine();
  const a = await start('a');
  const b = await start('b');
  const rows: Row[] = [];
  try {
    // Warm-up (discarded): each container's first seconds and this process's JIT.
    for (const t of [a, b]) await engine.runStep(stepSpec(t, null, 3), controller.signal);
    await runSideBySide([stepSpec(a, RATES[0]!), stepSpec(b, RATES[0]!)], [0, 0], controller.signal);
    for (let pair = 0; pair < PAIRS && !controller.signal.aborted; pair++) {
      const swap = pair % 2 === 1;
      for (const rate of RATES) {
        const first = swap ? b : a;
        const second = swap ? a : b;
        const s1 = await engine.runStep(stepSpec(first, rate), controller.signal);
        const s2 = await engine.runStep(stepSpec(second, rate), controller.signal);
        const [sa, sb] = swap ? [s2, s1] : [s1, s2];
        rows.push({ design: 'alternating', rate, pair, a: pcts(sa), b: pcts(sb) });
        const half = halfSlotUs(rate);
        const [da, db] = await runSideBySide([stepSpec(a, rate), stepSpec(b, rate)], swap ? [half, 0] : [0, half], controller.signal);
        rows.push({ design: 'duet', rate, pair, a: pcts(da!), b: pcts(db!) });
      }
      process.stderr.write(`[bench:duet] pair ${pair + 1}/${PAIRS}\n`);
    }
  } finally {
    await Promise.allSettled([a.stop(), b.stop()]);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `# bench:duet — ${new Date().toISOString()}`,
    '',
    `Machine: ${os.cpus().length} × ${cpu}, Linux ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    `Command: \`npm run bench:duet -- ${process.argv.slice(2).join(' ')}\`: two ${TARGET} containers of one image on CPU ${TARGET_CPU}, generator on CPU ${GENERATOR_CPUS}, ${rows.length / 2 / RATES.length} pairs of ${STEP_S} s steps per rate.`,
    '',
    '| rate, req/s | percentile | sd log(B/A), alternating | sd log(B/A), duet | sd log(A), alternating | sd log(A), duet |',
    '| ---: | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const rate of RATES) {
    for (const p of PERCENTILES) {
      const of = (design: Row['design']) => rows.filter((r) => r.design === design && r.rate === rate);
      const ratio = (design: Row['design']) => `${(sd(of(design).map((r) => Math.log(r.b[p] / r.a[p]))) * 100).toFixed(1)} %`;
      const alone = (design: Row['design']) => `${(sd(of(design).map((r) => Math.log(r.a[p]))) * 100).toFixed(1)} %`;
      lines.push(`| ${rate} | ${p} | ${ratio('alternating')} | ${ratio('duet')} | ${alone('alternating')} | ${alone('duet')} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (OUT) await writeFile(OUT, `${JSON.stringify({ rows }, null, 2)}\n`);
}

await main();
