/**
 * `npm run bench:capacity`: can the load side outrun the target? Closed-loop maximum throughput against
 * the Go target, FastAPI and bench/server (each on the target CPU, as `httpbench run` starts them),
 * measured by wrk (Debian's, C, one thread), autocannon (its own CLI, one thread), the project's engine
 * in closed-loop mode (one thread, and one per generator CPU), `oha` when installed (cargo install oha),
 * and `httpbench run`'s own max step (a real run of a one-target scenario, read from its run.json: the
 * figure a user gets, container stats and progress included). Rounds alternate the generator order;
 * each figure is the median of the rounds with its range, and each round's ratio to wrk.
 *
 * Flags: --rounds N (3) --duration S (5) --connections C (64) --targets go-chi,fastapi,server
 *        --generator-cpus LIST (0) --target-cpu N (1) --out FILE (JSON of every measurement).
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenLoopEngine } from '../src/load/openloop/engine.ts';
import type { StepSpec } from '../src/load/types.ts';
import { parseCpuset } from '../src/scenario/cpuset.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { isDockerTarget, type DockerTargetSpec } from '../src/scenario/schema.ts';
import { connectDocker, imageInfo, startDockerTarget } from '../src/targets/docker.ts';
import { freeLoopbackPort, waitForFirst200 } from '../src/targets/net.ts';
import { capacityTable, spread, type CapacityRound, type GeneratorId } from './capacity-lib.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const ROUNDS = Number(arg('rounds', '3'));
const DURATION_S = Number(arg('duration', '5'));
const CONNECTIONS = Number(arg('connections', '64'));
const TARGETS = arg('targets', 'go-chi,fastapi,server').split(',');
const GENERATOR_CPUS = arg('generator-cpus', '0');
const TARGET_CPU = arg('target-cpu', '1');
const OUT = process.argv.includes('--out') ? arg('out', '') : null;
const LOAD_CPUS = parseCpuset(GENERATOR_CPUS).length;
/** Every child is bounded: its schedule plus this much, then killed. */
const SLACK_MS = 60_000;
const PATH = '/users/{id}';
const IDS = { distribution: 'uniform' as const, min: 1, max: 10_000, zipfS: 1.1, seed: 1 };

const controller = new AbortController();
const signal = controller.signal;
for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => controller.abort(new Error(name)));

interface Target {
  name: string;
  baseUrl: string;
  /** The run's container-stats stream for this target (as a run samples it during a step); null for bench/server. */
  sampleResources: (() => { stop(): Promise<unknown> } | null) | null;
  /** The scenario of `httpbench run`'s max step against it; null where a run cannot measure it. */
  scenarioYaml: string | null;
  stop(): Promise<void>;
}

async function which(cmd: string): Promise<string | null> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

async function startContainer(name: 'go-chi' | 'fastapi'): Promise<Target> {
  const docker = await connectDocker();
  const image = `httpbench/${name}:latest`;
  if (!(await imageInfo(docker, image))) throw new Error(`image ${image} does not exist; build it with 'npx httpbench build ${name}'`);
  const scenario = await loadScenario(path.join(ROOT, 'scenarios', 'article.yaml'), { cpuCount: os.cpus().length });
  const spec = scenario.targets.find((t): t is DockerTargetSpec => t.name === name && isDockerTarget(t))!;
  const configuration = spec.configurations.find((c) => c.id === (name === 'go-chi' ? 'gomaxprocs-1' : '1-worker'))!;
  const running = await startDockerTarget(docker, {
    spec,
    configuration,
    image,
    cpus: 1,
    cpuset: TARGET_CPU,
    memoryMiB: 512,
    pids: 512,
    startupTimeoutS: 60,
    runId: `capacity-${process.pid}`,
    signal,
  });
  const env = Object.entries(configuration.env).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const scenarioYaml = [
    'name: capacity',
    'targets:',
    `  - { name: ${name}, context: ., dockerfile: ${spec.dockerfile}, configurations: [{ id: ${configuration.id}, env: { ${env} } }] }`,
    ...runLoadLines(),
  ].join('\n');
  return { name, baseUrl: running.baseUrl, sampleResources: () => running.sampleResources(), scenarioYaml, stop: () => running.stop() };
}

async function startBenchServer(): Promise<Target> {
  const binary = path.join(os.tmpdir(), `httpbench-capacity-server-${process.pid}`);
  await execa('go', ['build', '-o', binary, 'main.go'], { cwd: path.join(here, 'server'), cancelSignal: signal, timeout: 300_000 });
  const port = await freeLoopbackPort();
  const server: ResultPromise = execa('taskset', ['-c', TARGET_CPU, binary, String(port)], { env: { GOMAXPROCS: '1' }, reject: false });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    server.kill('SIGKILL');
    await server;
    await rm(binary, { force: true });
  };
  if ((await waitForFirst200(`${baseUrl}/`, { timeoutMs: 5000, signal })) === null) {
    await stop();
    throw new Error(`bench/server gave no 200 at ${baseUrl}/`);
  }
  return { name: 'server', baseUrl, sampleResources: null, scenarioYaml: null, stop };
}

/** The run's load section: warm-up, the max step under test, one short open-loop step (required). */
function runLoadLines(): string[] {
  return [
    `resources: { cpus: 1, targetCpuset: "${TARGET_CPU}", generatorCpuset: "${GENERATOR_CPUS}" }`,
    'load:',
    '  warmupS: 2',
    '  workers: auto',
    `  max: { durationS: ${DURATION_S}, connections: ${CONNECTIONS} }`,
    '  steps: { rates: [100], durationS: 1 }',
    '  knee: { refineSteps: 0 }',
    '  calibration: { enabled: false }',
    `  ids: { distribution: uniform, min: 1, max: 10000, seed: 1 }`,
    'repeat: 1',
  ];
}

async function wrk(url: string): Promise<number> {
  const r = await execa('taskset', ['-c', GENERATOR_CPUS, 'wrk', `-t${LOAD_CPUS}`, `-c${CONNECTIONS}`, `-d${DURATION_S}s`, url], { timeout: DURATION_S * 1000 + SLACK_MS, cancelSignal: signal });
  const m = /(\d+) requests in ([\d.]+)s/.exec(r.stdout);
  if (!m) throw new Error(`could not read wrk's output:\n${r.stdout}`);
  return Number(m[1]) / Number(m[2]);
}

async function autocannon(url: string): Promise<number> {
  const bin = path.join(ROOT, 'node_modules', '.bin', 'autocannon');
  const r = await execa('taskset', ['-c', GENERATOR_CPUS, bin, '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-j', url], { timeout: DURATION_S * 1000 + SLACK_MS, cancelSignal: signal });
  const json = JSON.parse(r.stdout) as { requests: { total: number }; duration: number; non2xx: number };
  return json.requests.total / json.duration;
}

async function oha(bin: string, url: string): Promise<number> {
  const r = await execa('taskset', ['-c', GENERATOR_CPUS, bin, '-z', `${DURATION_S}s`, '-c', String(CONNECTIONS), '--no-tui', '--output-format', 'json', url], {
    timeout: DURATION_S * 1000 + SLACK_MS,
    cancelSignal: signal,
  });
  const json = JSON.parse(r.stdout) as { summary: { requestsPerSec: number } };
  return json.summary.requestsPerSec;
}

/** The project's engine in closed-loop mode, in this (pinned) process. */
async function ours(baseUrl: string, workers: number): Promise<number> {
  const spec: StepSpec = { baseUrl, pathTemplate: PATH, ids: IDS, rateRps: null, durationS: DURATION_S, connections: CONNECTIONS, workers, timeoutMs: 2000, generatorCpuset: GENERATOR_CPUS, pacing: 'spin' };
  const step = await new OpenLoopEngine().runStep(spec, signal);
  return step.achievedRps;
}

/**
 * Our engine while the container's Docker stats stream is read on the same thread, as a run reads it
 * during every step: what the orchestrator's own work costs the measuring thread.
 */
async function oursWithStats(target: Target): Promise<number> {
  const sampler = target.sampleResources!();
  try {
    return await ours(target.baseUrl, 1);
  } finally {
    await sampler?.stop();
  }
}

/** `httpbench run`'s max step: a real run of a one-target scenario, the figure read from run.json. */
async function runMaxStep(target: Target): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-capacity-'));
  try {
    const scenario = path.join(dir, 'scenario.yaml');
    await writeFile(scenario, target.scenarioYaml!);
    const out = path.join(dir, 'out');
    const r = await execa(process.execPath, [path.join(ROOT, 'bin', 'httpbench.js'), 'run', '--scenario', scenario, '--out', out, '--image-tag', 'latest'], {
      cwd: ROOT,
      timeout: 120_000,
      cancelSignal: signal,
      reject: false,
      env: { HTTPBENCH_LOCK_DIR: path.join(dir, 'locks') },
    });
    const text = await readFile(path.join(out, 'run.json'), 'utf8').catch(() => null);
    const max = text === null ? undefined : (JSON.parse(text) as { targets: Array<{ maxThroughputRps: number | null }> }).targets[0]?.maxThroughputRps;
    if (typeof max !== 'number') throw new Error(`the run measured no max step (exit ${r.exitCode}):\n${r.stderr.split('\n').slice(-8).join('\n')}`);
    return max;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The machine's own speed, ms for a fixed loop on the generator CPU: a shared VM's speed drifts (here it
 * halved for minutes at a time), and a round measured while it was slow is not comparable to one that was not.
 */
function speedProbeMs(): number {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x + i * 7) % 1_000_003;
  if (x < 0) console.log(x); // keeps the loop from being optimised away
  return performance.now() - t0;
}

async function main(): Promise<void> {
  await execa('taskset', ['-a', '-cp', GENERATOR_CPUS, String(process.pid)]);
  const ohaBin = (await which('oha')) ?? ((await execa('sh', ['-c', 'ls ~/.cargo/bin/oha'], { reject: false })).stdout.trim() || null);
  const wrkVersion = (await execa('sh', ['-c', "dpkg-query -W -f='${Version}' wrk"], { reject: false })).stdout || 'unknown';
  const cpu = (await execa('lscpu', { reject: false })).stdout.match(/Model name:\s*(.+)/)?.[1] ?? 'unknown';
  const generators: GeneratorId[] = ['wrk', 'autocannon', 'ours-1', 'ours-1-stats', ...(LOAD_CPUS > 1 ? (['ours-all'] as const) : []), ...(ohaBin ? (['oha'] as const) : []), 'run-max'];
  console.log(`machine: ${os.cpus().length} CPUs (${cpu}), Linux ${os.release()}, Node ${process.version}, wrk ${wrkVersion}${ohaBin ? '' : ', oha not installed'}`);
  console.log(`generators on CPU(s) ${GENERATOR_CPUS} (${LOAD_CPUS} thread(s) for wrk and ours-all), target on CPU ${TARGET_CPU}; ${CONNECTIONS} connections, ${DURATION_S} s, ${ROUNDS} alternated rounds`);
  if (LOAD_CPUS === 1) console.log('one load CPU: "ours, all threads" is the same as one thread and is not run');
  const rounds: CapacityRound[] = [];
  for (const name of TARGETS) {
    for (let round = 0; round < ROUNDS && !signal.aborted; round++) {
      // A fresh target each round, as each run starts one.
      const target = name === 'server' ? await startBenchServer() : await startContainer(name as 'go-chi' | 'fastapi');
      try {
        const url = `${target.baseUrl}/users/1`;
        await ours(target.baseUrl, 1); // warm-up (discarded): the target's first seconds and our JIT
        // Rotate the order each round so no generator always measures a warmer or cooler target.
        // bench/server is not a contract target (it answers "ok" everywhere): a run refuses it, so no run-max there.
        const mine = name === 'server' ? generators.filter((g) => g !== 'run-max' && g !== 'ours-1-stats') : generators;
        const order = mine.map((_, i) => mine[(i + round) % mine.length]!);
        const figures: Partial<Record<GeneratorId, number>> = {};
        for (const g of order) {
          if (signal.aborted) break;
          figures[g] =
            g === 'wrk' ? await wrk(url)
            : g === 'autocannon' ? await autocannon(url)
            : g === 'oha' ? await oha(ohaBin!, url)
            : g === 'ours-1' ? await ours(target.baseUrl, 1)
            : g === 'ours-all' ? await ours(target.baseUrl, LOAD_CPUS)
            : g === 'ours-1-stats' ? await oursWithStats(target)
            : await runMaxStep(target); // the run starts its own container; ours idles meanwhile
        }
        const probeMs = speedProbeMs();
        rounds.push({ target: name, round, figures, probeMs });
        console.log(`${name} round ${round + 1}: ${order.map((g) => `${g} ${Math.round(figures[g] ?? NaN)}`).join(', ')}; speed probe ${Math.round(probeMs)} ms`);
      } finally {
        await target.stop();
      }
    }
  }
  console.log(`\n${capacityTable(rounds, generators).join('\n')}`);
  const probes = spread(rounds.map((r) => r.probeMs ?? NaN));
  if (probes) console.log(`\nspeed probe (fixed loop on the generator CPU): ${Math.round(probes.median)} ms (${Math.round(probes.min)}–${Math.round(probes.max)})${probes.max > 1.2 * probes.min ? ' — the machine\'s own speed moved by more than 20 % between rounds: compare ratios within a round' : ''}`);
  if (OUT) await writeFile(OUT, `${JSON.stringify({ machine: cpu, generatorCpus: GENERATOR_CPUS, targetCpu: TARGET_CPU, connections: CONNECTIONS, durationS: DURATION_S, rounds }, null, 2)}\n`);
}

await main();
