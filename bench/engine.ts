/**
 * `npm run bench:engine`: what does our open-loop engine cost per request, next to wrk, and how does
 * it scale over worker threads? One local Go net/http server (bench/server/main.go, built on the fly)
 * on CPU 1; the generator (this process and its workers, or wrk) on CPU 0.
 *
 * Debian's wrk is closed loop (no --rate), so rates are matched through the server: with C connections
 * and a server delay D, wrk runs at ≈ C / D requests/s; our engine then offers exactly wrk's achieved
 * rate against the same server. CPU: wrk's from /usr/bin/time (user + sys, whole process); ours from
 * process.cpuUsage() over the step (whole process, all threads), so Node's start-up and tsx compile
 * time are not charged to the engine while wrk's (tiny) start-up is charged to wrk.
 *
 * Flags: --duration S (default 3), --reps N (default 3), --connections C (default 16).
 */
import { execa, type ResultPromise } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenLoopEngine } from '../src/load/openloop/engine.ts';
import type { StepSpec } from '../src/load/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION_S = arg('duration', 3);
const REPS = arg('reps', 3);
const CONNECTIONS = arg('connections', 16);
/** Server delays → target rates ≈ CONNECTIONS / delay: 16 / 8 ms = 2 000 rps, 16 / 2 ms = 8 000 rps, 16 / 1 ms = 16 000 rps. */
const DELAYS_US = [8000, 2000, 1000];
const SERVER_CPU = '1';
const GENERATOR_CPU = '0';
const PORT = 40_000 + (process.pid % 20_000);

interface Sample {
  rps: number;
  cpuUsPerRequest: number;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
}
const fmt = (x: number, d = 1) => x.toFixed(d);

async function buildServer(): Promise<string> {
  const out = path.join(os.tmpdir(), `httpbench-bench-server-${process.pid}`);
  await execa('go', ['build', '-o', out, 'main.go'], { cwd: path.join(here, 'server') });
  return out;
}

async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 5000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch (error) {
      lastError = error; // not listening yet: retried until the deadline
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`bench server did not answer at ${url}`, { cause: lastError });
}

/** wrk closed loop; returns achieved rps and CPU µs per request (wrk's user + sys from /usr/bin/time). */
async function runWrk(url: string): Promise<Sample> {
  const r = await execa('/usr/bin/time', ['-f', 'TIME %U %S', 'taskset', '-c', GENERATOR_CPU, 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${DURATION_S}s`, url], { reject: false });
  const requests = /(\d+) requests in ([\d.]+)s/.exec(r.stdout);
  const time = /TIME ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!requests || !time) throw new Error(`could not read wrk output:\n${r.stdout}\n${r.stderr}`);
  const n = Number(requests[1]);
  const cpuUs = (Number(time[1]) + Number(time[2])) * 1e6;
  return { rps: n / Number(requests[2]), cpuUsPerRequest: cpuUs / n };
}

/**
 * One step of our engine. CPU per request: under sleep pacing the process CPU over the step; under
 * spin pacing the *work* time only (turns that handled I/O or sent requests, and stalls), because a
 * busy-polling thread is 100 % busy by design and its idle polling is not a per-request cost.
 */
async function runOurs(baseUrl: string, pathTemplate: string, rateRps: number | null, workers: number, pacing: 'spin' | 'sleep'): Promise<Sample & { bound: boolean; latenessP99Us: number | null }> {
  const spec: StepSpec = {
    baseUrl,
    pathTemplate,
    ids: { distribution: 'uniform', min: 1, max: 1, zipfS: 1.1, seed: 1 },
    rateRps,
    durationS: DURATION_S,
    connections: CONNECTIONS,
    workers,
    timeoutMs: 2000,
    generatorCpuset: GENERATOR_CPU,
    pacing,
  };
  const step = await new OpenLoopEngine().runStep(spec);
  const percent = pacing === 'spin' ? (step.generator.workCpuPercent ?? step.generator.cpuPercent) : step.generator.cpuPercent;
  const cpuUs = (percent / 100) * DURATION_S * 1e6; // both percentages are over the step
  return { rps: step.achievedRps, cpuUsPerRequest: cpuUs / Math.max(1, step.counts.completed), bound: step.generator.bound, latenessP99Us: step.generator.latenessUs?.p99 ?? null };
}

async function main(): Promise<void> {
  // Pin this process (all threads, and worker threads created later) to the generator CPU.
  await execa('taskset', ['-a', '-cp', GENERATOR_CPU, String(process.pid)]);
  const cpu = (await execa('lscpu')).stdout.match(/Model name:\s*(.+)/)?.[1] ?? 'unknown';
  console.log(`machine: ${os.cpus().length} CPUs, ${cpu}; Node ${process.version}; server on CPU ${SERVER_CPU}, generator on CPU ${GENERATOR_CPU}`);
  console.log(`duration ${DURATION_S} s per run, ${REPS} repetitions, ${CONNECTIONS} connections\n`);
  const binary = await buildServer();
  let server: ResultPromise | undefined;
  try {
    server = execa('taskset', ['-c', SERVER_CPU, binary, String(PORT)], { env: { GOMAXPROCS: '1' }, reject: false });
    const base = `http://127.0.0.1:${PORT}`;
    await waitForServer(`${base}/`);
    // Warm-up: JIT and connection set-up costs are not per-request costs.
    await runOurs(base, '/', 1000, 1, 'spin');

    console.log('CPU per request, ours (open loop at wrk\'s achieved rate) vs wrk (closed loop), median [min–max] of the repetitions');
    console.log('spin = work time of the busy-polling thread (idle polling excluded); sleep = process CPU of the low-power mode');
    console.log('server delay   rate req/s   wrk µs/req          spin µs/req         spin/wrk            sleep µs/req        sleep/wrk');
    for (const delayUs of DELAYS_US) {
      const p = `/?delay_us=${delayUs}`;
      const wrk: Sample[] = [];
      const spin: Sample[] = [];
      const sleep: Sample[] = [];
      for (let rep = 0; rep < REPS; rep++) {
        const w = await runWrk(`${base}${p}`);
        wrk.push(w);
        spin.push(await runOurs(base, p, Math.round(w.rps), 1, 'spin'));
        sleep.push(await runOurs(base, p, Math.round(w.rps), 1, 'sleep'));
      }
      const cell = (xs: number[], d = 1) => {
        const x = stats(xs);
        return `${fmt(x.median, d)} [${fmt(x.min, d)}–${fmt(x.max, d)}]`;
      };
      const rate = stats(wrk.map((s) => s.rps)).median;
      console.log(
        `${`${delayUs} µs`.padEnd(15)}${fmt(rate, 0).padEnd(13)}${cell(wrk.map((s) => s.cpuUsPerRequest)).padEnd(20)}` +
          `${cell(spin.map((s) => s.cpuUsPerRequest)).padEnd(20)}${`${cell(spin.map((s, i) => s.cpuUsPerRequest / wrk[i]!.cpuUsPerRequest), 2)}×`.padEnd(20)}` +
          `${cell(sleep.map((s) => s.cpuUsPerRequest)).padEnd(20)}${cell(sleep.map((s, i) => s.cpuUsPerRequest / wrk[i]!.cpuUsPerRequest), 2)}×`,
      );
    }

    // Sleep pacing: spinning threads on one CPU would only take turns (the engine caps spin workers at the CPUs).
    console.log('\nScaling over worker threads (no server delay, sleep pacing), closed loop on raw sockets, all generator threads on CPU 0:');
    console.log('workers   achieved req/s          CPU µs/req');
    for (let workers = 1; workers <= os.cpus().length; workers++) {
      const runs: Sample[] = [];
      for (let rep = 0; rep < REPS; rep++) runs.push(await runOurs(base, '/', null, workers, 'sleep'));
      const rps = stats(runs.map((s) => s.rps));
      const c = stats(runs.map((s) => s.cpuUsPerRequest));
      console.log(`${String(workers).padEnd(10)}${`${fmt(rps.median, 0)} [${fmt(rps.min, 0)}–${fmt(rps.max, 0)}]`.padEnd(24)}${fmt(c.median)} [${fmt(c.min)}–${fmt(c.max)}]`);
    }
    const wrkMax: Sample[] = [];
    for (let rep = 0; rep < REPS; rep++) wrkMax.push(await runWrk(`${base}/`));
    const wm = stats(wrkMax.map((s) => s.rps));
    const wc = stats(wrkMax.map((s) => s.cpuUsPerRequest));
    console.log(`wrk -t1    ${`${fmt(wm.median, 0)} [${fmt(wm.min, 0)}–${fmt(wm.max, 0)}]`.padEnd(24)}${fmt(wc.median)} [${fmt(wc.min)}–${fmt(wc.max)}]`);
  } finally {
    server?.kill();
    await server; // reject: false — a killed server resolves
    await execa('rm', ['-f', binary]);
  }
}

await main();
