/**
 * `npm run bench:fidelity`: how close is the latency our open-loop engine measures to what the target
 * really does? Three generators, same machine, same target, same schedule, alternated rounds:
 *  - reference: bench/reference/client.ts, a busy-polling Node client with the engine's per-connection
 *    schedule, latency from the intended send time; it never sleeps, so it adds no wake-up latency;
 *  - ours: OpenLoopEngine.runStep in this process (corrected latency, lateness subtracted), default
 *    (spin) pacing or --pacing; ours-sleep: the same engine in its low-power sleep pacing;
 *  - vegeta (Go, from the Go module proxy): latency from its own send (no coordinated-omission
 *    correction), Go's net/http client on a sleeping netpoller.
 * Targets: bench/server (Go net/http, CPU 1, GOMAXPROCS=1) and the httpbench/go-chi:latest container
 * started as `httpbench run` starts it (host network, 127.0.0.1, CPU 1, 512 MiB, GOMAXPROCS=1).
 * Every generator runs on CPU 0. See bench/README.md ("Fidelity") for the method and what each figure means.
 *
 * Flags: --duration S (10) --warmup S (1) --rounds N (3) --rates 1000,10000,40000 --connections 32
 *        --targets server,go-chi --generators reference,ours,ours-sleep,vegeta --pacing MODE --out FILE.json
 */
import { execa, type ResultPromise } from 'execa';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describeError, HttpbenchError } from '../src/errors.ts';
import { createIdSequence } from '../src/load/ids.ts';
import { OpenLoopEngine } from '../src/load/openloop/engine.ts';
import { pinProcess } from '../src/load/pin.ts';
import type { IdsSpec, StepSpec } from '../src/load/types.ts';
import { createHistogram, percentilesUs, recordUs } from '../src/samples/histogram.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { isDockerTarget, type DockerTargetSpec } from '../src/scenario/schema.ts';
import { connectDocker, imageInfo, startDockerTarget } from '../src/targets/docker.ts';
import { freeLoopbackPort, waitForFirst200 } from '../src/targets/net.ts';
import type { RunningTarget } from '../src/targets/types.ts';
import {
  alternatedOrder,
  flagLines,
  parseFidelityArgs,
  parseVegetaCsvLine,
  vegetaWindow,
  type VegetaHit,
  renderTable,
  summarize,
  vegetaTargets,
  type FidelityOptions,
  type GeneratorName,
  type Measurement,
  type TargetName,
} from './fidelity-lib.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const GENERATOR_CPU = '0';
const TARGET_CPU = '1';
const PATH_TEMPLATE = '/users/{id}';
const IDS: IdsSpec = { distribution: 'uniform', min: 1, max: 10_000, zipfS: 1.1, seed: 1 };
const TIMEOUT_MS = 2000;
const GO_CHI_IMAGE = 'httpbench/go-chi:latest';
const CACHE = path.join(os.homedir(), '.cache', 'httpbench-bench');
const VEGETA_VERSION = 'v12.12.0';
const VEGETA = path.join(CACHE, `vegeta-${VEGETA_VERSION}`, 'bin', 'vegeta');
/** A busy-poller alone on its CPU uses ~100 % of it; less means something else ran there. */
const MIN_REFERENCE_CPU_PERCENT = 90;
const warnings: string[] = [];
/** Slack on top of a run's schedule before its process is killed: every run is bounded in time. */
const RUN_SLACK_MS = 30_000;

const opts = parseFidelityArgs(process.argv.slice(2));
const controller = new AbortController();
const signal = controller.signal;
let interrupted = false;
const onSignal = (name: NodeJS.Signals) => {
  if (interrupted) process.exit(name === 'SIGINT' ? 130 : 143); // second signal: the user will not wait
  interrupted = true;
  process.stderr.write(`\n${name}: stopping; cleaning up children and containers\n`);
  controller.abort(new Error(name));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Our engine, one thread on the generator CPU. Swapping engine options is this one place. */
const engine = new OpenLoopEngine();
function engineSpec(baseUrl: string, rateRps: number, durationS: number, pacing: 'spin' | 'sleep' | null = opts.pacing): StepSpec {
  const spec: StepSpec = { baseUrl, pathTemplate: PATH_TEMPLATE, ids: IDS, rateRps, durationS, connections: opts.connections, workers: 1, timeoutMs: TIMEOUT_MS, generatorCpuset: GENERATOR_CPU };
  return pacing === null ? spec : { ...spec, pacing };
}

/** `ours`: the engine's default pacing (or --pacing); `ours-sleep`: its low-power sleep pacing. */
async function runOurs(baseUrl: string, rateRps: number, pacing: 'spin' | 'sleep' | null = opts.pacing): Promise<Measurement> {
  const step = await engine.runStep(engineSpec(baseUrl, rateRps, opts.durationS, pacing), signal);
  const c = step.latencyUs.corrected!;
  const failures = step.counts.errors + step.counts.timeouts + step.counts.non2xx;
  return { p50Us: c.p50, p95Us: c.p95, p99Us: c.p99, p999Us: c.p999, offeredRps: rateRps, achievedRps: (step.counts.completed - step.counts.non2xx) / step.durationS, cpuPercent: step.generator.cpuPercent, failures,
    recorded: c.count,
    flag: step.generator.bound
      ? `generator-bound: ${step.generator.boundReasons.join('; ')}`
      : (step.generator.latencyCaveats ?? []).length > 0
        ? `in doubt: ${step.generator.latencyCaveats!.map((c) => c.percentile).join('/')} (${step.generator.stalls?.responses ?? 0} responses read after a stall)`
        : null,
    latenessP99Us: step.generator.latenessUs?.p99 ?? null,
  };
}

async function runReference(baseUrl: string, rateRps: number): Promise<Measurement> {
  const args = ['--url', baseUrl, '--path', PATH_TEMPLATE, '--rate', String(rateRps), '--connections', String(opts.connections), '--duration', String(opts.durationS), '--warmup', String(opts.warmupS), '--timeout-ms', String(TIMEOUT_MS), '--ids-max', String(IDS.max)];
  const r = await execa('taskset', ['-c', GENERATOR_CPU, process.execPath, '--import', 'tsx', path.join(here, 'reference', 'client.ts'), ...args], {
    cwd: ROOT,
    cancelSignal: signal,
    timeout: (opts.durationS + opts.warmupS) * 1000 + RUN_SLACK_MS,
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(`reference client failed (${r.shortMessage ?? r.exitCode}):\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  const failures = out.errors! + out.timeouts! + out.non2xx!;
  return { p50Us: out.p50Us!, p95Us: out.p95Us!, p99Us: out.p99Us!, p999Us: out.p999Us!, offeredRps: rateRps, achievedRps: out.achievedRps!, cpuPercent: out.cpuPercent!, failures, recorded: out.recorded!, flag: out.dropped! > 0 ? `${out.dropped} scheduled sends not made by the end of the schedule (it fell behind)` : null, latenessP99Us: out.latenessP99Us! };
}

/** Installs vegeta into the cache once (Go module proxy, with the machine's GOPROXY/GOFLAGS). */
async function ensureVegeta(): Promise<string | null> {
  const present = await execa(VEGETA, ['-version'], { reject: false });
  if (present.exitCode === 0) return null;
  console.log(`installing vegeta ${VEGETA_VERSION} into ${path.dirname(VEGETA)} (go install, ~1 min)…`);
  const r = await execa('go', ['install', `github.com/tsenart/vegeta/v12@${VEGETA_VERSION}`], {
    env: { GOBIN: path.dirname(VEGETA) },
    cancelSignal: signal,
    timeout: 600_000,
    reject: false,
  });
  return r.exitCode === 0 ? null : `go install of vegeta ${VEGETA_VERSION} failed: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`;
}

/**
 * vegeta at a constant rate with 32 workers on 32 keep-alive connections (one request in flight per
 * connection, like the others). Its latency is from the moment a worker starts the hit to the end of
 * the body; a worker that is late for its tick starts the clock late (no coordinated-omission
 * correction). Results inside the first --warmup s are dropped, like the reference's.
 */
async function runVegeta(baseUrl: string, rateRps: number, work: string): Promise<Measurement> {
  const targets = path.join(work, 'targets.jsonl');
  const results = path.join(work, 'results.bin');
  const timeFile = path.join(work, 'time.txt');
  const next = createIdSequence(IDS, 0);
  await writeFile(targets, vegetaTargets(baseUrl, PATH_TEMPLATE, Array.from({ length: IDS.max }, () => next())));
  const c = String(opts.connections);
  const totalS = opts.warmupS + opts.durationS;
  // /usr/bin/time reports vegeta's CPU; the process group (detached) lets a cancel kill both.
  const child = execa(
    '/usr/bin/time',
    ['-f', '%U %S %e', '-o', timeFile, 'taskset', '-c', GENERATOR_CPU, VEGETA, 'attack', '-format=json', `-targets=${targets}`, `-rate=${rateRps}/1s`, `-duration=${totalS}s`,
      `-workers=${c}`, `-max-workers=${c}`, `-connections=${c}`, `-max-connections=${c}`, '-http2=false', '-max-body=0', `-timeout=${TIMEOUT_MS}ms`, `-output=${results}`],
    { env: { GOMAXPROCS: '1' }, detached: true, timeout: totalS * 1000 + RUN_SLACK_MS, reject: false },
  );
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: already gone
    }
  };
  signal.addEventListener('abort', kill, { once: true });
  const r = await child.finally(() => signal.removeEventListener('abort', kill));
  signal.throwIfAborted();
  if (r.exitCode !== 0) throw new Error(`vegeta attack failed (${r.shortMessage ?? r.exitCode}):\n${r.stderr}`);
  const [user, sys, wall] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);

  // Streamed into numbers relative to the first line: at 40k req/s the CSV is tens of MB.
  const hits: VegetaHit[] = [];
  let baseNs: bigint | null = null;
  const encode = spawn(VEGETA, ['encode', '-to', 'csv', results], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => encode.once('close', (code) => resolve(code)));
  const stopEncode = () => encode.kill('SIGKILL');
  const encodeTimer = setTimeout(stopEncode, RUN_SLACK_MS * 4);
  signal.addEventListener('abort', stopEncode, { once: true });
  try {
    for await (const line of createInterface({ input: encode.stdout })) {
      const hit = parseVegetaCsvLine(line);
      if (!hit) continue;
      baseNs ??= hit.timestampNs;
      hits.push({ atNs: Number(hit.timestampNs - baseNs), code: hit.code, latencyNs: hit.latencyNs });
    }
  } finally {
    clearTimeout(encodeTimer);
    signal.removeEventListener('abort', stopEncode);
  }
  signal.throwIfAborted();
  const encodeCode = await exited;
  if (encodeCode !== 0) throw new Error(`vegeta encode exited with ${encodeCode ?? 'a signal'}: its results are incomplete`);
  const { latenciesUs, ok, failures } = vegetaWindow(hits, opts.warmupS, opts.durationS);
  const histogram = createHistogram();
  for (const us of latenciesUs) recordUs(histogram, us);
  const p = percentilesUs(histogram);
  return { p50Us: p.p50, p95Us: p.p95, p99Us: p.p99, p999Us: p.p999, offeredRps: rateRps, achievedRps: ok / opts.durationS, cpuPercent: ((user! + sys!) / wall!) * 100, failures, recorded: ok, flag: null, latenessP99Us: null };
}

interface Target {
  name: TargetName;
  baseUrl: string;
  stop(): Promise<void>;
}

/** bench/server built with the local Go toolchain, on the target CPU with GOMAXPROCS=1. */
async function startBenchServer(): Promise<Target> {
  const binary = path.join(CACHE, 'bench-server');
  await execa('go', ['build', '-o', binary, 'main.go'], { cwd: path.join(here, 'server'), cancelSignal: signal, timeout: 300_000 });
  const port = await freeLoopbackPort();
  const server: ResultPromise = execa('taskset', ['-c', TARGET_CPU, binary, String(port)], { env: { GOMAXPROCS: '1' }, reject: false });
  const stop = async () => {
    server.kill('SIGKILL');
    await server;
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    if ((await waitForFirst200(`${baseUrl}/`, { timeoutMs: 5000, signal })) === null) throw new Error(`bench/server gave no 200 at ${baseUrl}/ within 5 s`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: 'server', baseUrl, stop };
}

/** The go-chi image as `httpbench run` starts it: scenarios/article.yaml's target, gomaxprocs-1. */
async function startGoChi(): Promise<Target | string> {
  const docker = await connectDocker();
  if (!(await imageInfo(docker, GO_CHI_IMAGE))) return `image ${GO_CHI_IMAGE} does not exist; build it with 'npx httpbench build go-chi'`;
  const scenario = await loadScenario(path.join(ROOT, 'scenarios', 'article.yaml'), { cpuCount: os.cpus().length });
  const spec = scenario.targets.find((t): t is DockerTargetSpec => t.name === 'go-chi' && isDockerTarget(t));
  const configuration = spec?.configurations.find((c) => c.id === 'gomaxprocs-1');
  if (!spec || !configuration) return 'scenarios/article.yaml has no go-chi target with configuration gomaxprocs-1';
  const running: RunningTarget = await startDockerTarget(docker, {
    spec,
    configuration,
    image: GO_CHI_IMAGE,
    cpus: 1,
    cpuset: TARGET_CPU,
    memoryMiB: scenario.resources.memoryMiB,
    pids: scenario.resources.pids,
    startupTimeoutS: scenario.startupTimeoutS,
    runId: `fidelity-${process.pid}`,
    signal,
  });
  return { name: 'go-chi', baseUrl: running.baseUrl, stop: () => running.stop() };
}

async function machine(): Promise<string> {
  const cpu = (await execa('lscpu', { reject: false })).stdout.match(/Model name:\s*(.+)/)?.[1] ?? 'unknown';
  const go = (await execa('go', ['version'], { reject: false })).stdout.replace(/^go version /, '');
  return `${os.cpus().length} CPUs (${cpu}), Linux ${os.release()}, Node ${process.version}, ${go}; generators on CPU ${GENERATOR_CPU}, target on CPU ${TARGET_CPU}`;
}

interface BlockResult {
  target: TargetName;
  rateRps: number;
  rounds: Array<Partial<Record<GeneratorName, Measurement>>>;
}

async function measureTarget(target: Target, generators: GeneratorName[], o: FidelityOptions, work: string): Promise<BlockResult[]> {
  const run = (g: GeneratorName, rate: number): Promise<Measurement> =>
    g === 'ours' ? runOurs(target.baseUrl, rate) : g === 'ours-sleep' ? runOurs(target.baseUrl, rate, 'sleep') : g === 'reference' ? runReference(target.baseUrl, rate) : runVegeta(target.baseUrl, rate, work);
  // Warm-up (discarded): JIT for our in-process engine, and the target's first requests.
  await engine.runStep(engineSpec(target.baseUrl, 5000, 2), signal);
  const blocks: BlockResult[] = [];
  for (const rate of o.ratesRps) {
    const block: BlockResult = { target: target.name, rateRps: rate, rounds: [] };
    for (let round = 0; round < o.rounds; round++) {
      const results: Partial<Record<GeneratorName, Measurement>> = {};
      for (const g of alternatedOrder(generators, round)) {
        signal.throwIfAborted();
        try {
          results[g] = await run(g, rate);
        } catch (error) {
          signal.throwIfAborted();
          console.log(`  ${target.name} ${rate} req/s round ${round + 1}: ${g} failed, left out: ${describeError(error)}`);
        }
      }
      const line = generators
        .map((g) => {
          const r = results[g];
          return r ? `${g} p99 ${r.recorded > 0 ? `${r.p99Us} µs` : 'no data'} (send lateness p99 ${r.latenessP99Us ?? 'n/a'}, CPU ${Math.round(r.cpuPercent)} %${r.flag ? `; ${r.flag}` : ''})` : `${g} —`;
        })
        .join(', ');
      console.log(`  ${target.name} ${rate} req/s round ${round + 1}/${o.rounds}: ${line}`);
      const ref = results.reference;
      if (ref && ref.cpuPercent < MIN_REFERENCE_CPU_PERCENT) {
        const warning = `${target.name} ${rate} req/s round ${round + 1}: the busy-polling reference got only ${Math.round(ref.cpuPercent)} % of CPU ${GENERATOR_CPU} — other processes ran on the generator CPU, so this round measures the machine, not the generators`;
        warnings.push(warning);
        console.log(`  warning: ${warning}`);
      }
      block.rounds.push(results);
    }
    blocks.push(block);
  }
  return blocks;
}

async function main(): Promise<void> {
  const pinProblem = await pinProcess(GENERATOR_CPU);
  if (pinProblem) throw new Error(pinProblem);
  await mkdir(CACHE, { recursive: true });
  console.log(`machine: ${await machine()}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${opts.durationS} s measured per run (+${opts.warmupS} s unrecorded warm-up for the external generators), ${opts.rounds} alternated rounds, ${opts.connections} connections, ids uniform 1..${IDS.max}, pacing ${opts.pacing ?? "(engine default)"}`);

  const generators = [...opts.generators];
  if (generators.includes('vegeta')) {
    const problem = await ensureVegeta();
    if (problem) {
      console.log(`vegeta skipped: ${problem}`);
      generators.splice(generators.indexOf('vegeta'), 1);
    } else console.log(`vegeta ${VEGETA_VERSION}: ${VEGETA}`);
  }

  const work = path.join(os.tmpdir(), `httpbench-fidelity-${process.pid}`);
  await mkdir(work, { recursive: true });
  const all: BlockResult[] = [];
  try {
    for (const name of opts.targets) {
      const started = name === 'server' ? await startBenchServer() : await startGoChi();
      if (typeof started === 'string') {
        console.log(`\ntarget ${name} skipped: ${started}`);
        continue;
      }
      console.log(`\ntarget ${name} at ${started.baseUrl}`);
      try {
        all.push(...(await measureTarget(started, generators, opts, work)));
      } finally {
        await started.stop(); // also on abort and failure: never leave a server or container behind
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  console.log('\nCorrected latency µs, median [min–max] of the rounds (ratio to the reference of the same round, median [min–max]):');
  for (const block of all) {
    console.log(`\n${block.target}, ${block.rateRps} req/s offered, ${opts.connections} connections:\n`);
    process.stdout.write(renderTable(summarize(block.rounds, generators, 'reference')));
    for (const line of flagLines(block.rounds, generators)) console.log(line);
  }
  if (warnings.length > 0) console.log(`\n${warnings.length} round(s) ran on a contended generator CPU (see the warnings above): rerun on a quiet machine before quoting these figures.`);
  const meaning: Record<GeneratorName, string> = {
    reference: 'from the intended send; busy-polls, so its CPU is ~100 % by design',
    ours: 'from the intended send, generator lateness subtracted (default spin pacing: busy-polls while a request is in flight)',
    'ours-sleep': 'the same engine in its low-power sleep pacing (waits in timers and epoll)',
    vegeta: 'from its own send, not corrected for coordinated omission',
  };
  console.log(`\n${generators.map((g) => `${g}: ${meaning[g]}.`).join(' ')}`);
  if (opts.outFile) {
    await writeFile(opts.outFile, JSON.stringify({ options: opts, machine: await machine(), warnings, blocks: all }, null, 2));
    console.log(`rounds written to ${opts.outFile}`);
  }
}

try {
  await main();
} catch (error) {
  if (signal.aborted) process.exitCode = 130;
  else {
    process.stderr.write(`bench:fidelity failed: ${describeError(error)}${error instanceof HttpbenchError && error.hint ? `\nhint: ${error.hint}` : ''}\n`);
    process.exitCode = error instanceof HttpbenchError ? error.exitCode : 1;
  }
}
