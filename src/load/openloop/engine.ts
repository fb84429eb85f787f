/**
 * The open-loop engine (default for rate steps): constant offered rate over keep-alive connections on
 * raw sockets, latency corrected for coordinated omission the wrk2 way, and the generator's own
 * lateness measured and subtracted. `workers > 1` runs shares of the connections in worker threads;
 * their encoded histograms merge exactly.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InternalError } from '../../errors.ts';
import { encodeHistogram, encodeIntervalLog, mergeEncoded, percentilesUs } from '../../samples/histogram.ts';
import type { Counts } from '../../schema/run.ts';
import { assertConnectionsFit } from '../fd-limit.ts';
import { generatorBound } from '../generator-bound.ts';
import { affinityCpuCount, allowedCpus, pinThread } from '../pin.ts';
import { latencyCaveats } from '../stalls.ts';
import type { EngineStep, LoadEngine, StepObserver, StepSpec } from '../types.ts';
import { nowUs } from './clock.ts';
import { LATE_THRESHOLD_US, STALL_THRESHOLD_US } from './recorder.ts';
import { Share, type Pacing, type ShareResult, type ShareSpec } from './share.ts';
import type { FromWorker, ToWorker } from './worker.ts';

/** Gap between "all connections open" and the first intended send, so every share starts on time. */
export const START_LEAD_US = 20_000;
export const DEFAULT_INTERVAL_MS = 1000;

export interface OpenLoopOptions {
  /** Override of the sleep pacer's spin window (bench only). */
  spinWindowUs?: number;
}

/** Spin pacing unless the step asks otherwise (see share.ts for what each costs and measures). */
export const DEFAULT_PACING: Pacing = 'spin';

export class OpenLoopEngine implements LoadEngine {
  readonly name = 'openloop' as const;
  constructor(private readonly options: OpenLoopOptions = {}) {}

  async runStep(spec: StepSpec, signal?: AbortSignal, observer?: StepObserver): Promise<EngineStep> {
    assertConnectionsFit(spec.connections);
    const pacing = spec.pacing ?? DEFAULT_PACING;
    const notes: string[] = [];
    let workers = Math.max(1, Math.min(spec.workers, spec.connections));
    if (workers < spec.workers) notes.push(`workers lowered from ${spec.workers} to ${workers}: one connection per worker at least`);
    // Spinning threads sharing a CPU take turns by the scheduler's time slices (milliseconds):
    // every thread would stall the others. One spinning thread per CPU the process may use.
    const cpus = affinityCpuCount();
    if (pacing === 'spin' && workers > cpus) {
      notes.push(`workers lowered from ${workers} to ${cpus}: spin pacing runs one busy-polling thread per CPU the generator may use`);
      workers = cpus;
    }
    if (pacing === 'sleep') notes.push('sleep pacing: response times include the generator\'s own wake-up latency (less precise than spin pacing)');
    const shareSpecs: ShareSpec[] = [];
    for (let w = 0; w < workers; w++) {
      const indices: number[] = [];
      // Interleave connections over workers so each worker's phases spread over the whole period.
      for (let g = w; g < spec.connections; g += workers) indices.push(g);
      shareSpecs.push(shareSpecOf(spec, pacing, indices, w, this.options));
    }

    const startEpochMs = Date.now();
    const onProgress = observer?.onProgress?.bind(observer);
    const { results, cpuPercent } = await runShares(shareSpecs, { signal, onProgress, notes });
    return buildStep(spec, workers, pacing, results, cpuPercent, notes, startEpochMs);
  }
}

/** The share of `spec` that opens connections `indices` (id stream `stream`). */
export function shareSpecOf(spec: StepSpec, pacing: Pacing, indices: number[], stream: number, options: OpenLoopOptions = {}): ShareSpec {
  // Connect to the address the URL guard checked (if given); the Host header stays the URL's.
  const target = { ...parseTarget(spec.baseUrl), ...(spec.connectHost !== undefined ? { host: spec.connectHost } : {}) };
  return {
    ...target,
    pathTemplate: spec.pathTemplate,
    ids: spec.ids,
    idsStream: stream,
    rateRps: spec.rateRps,
    totalConnections: spec.connections,
    connectionIndices: indices,
    durationS: spec.durationS,
    timeoutMs: spec.timeoutMs,
    intervalMs: spec.intervalMs ?? DEFAULT_INTERVAL_MS,
    pacing,
    ...(options.spinWindowUs !== undefined ? { spinWindowUs: options.spinWindowUs } : {}),
  };
}

/** Host, port and TLS flag of the base URL (brackets stripped from IPv6 literals). */
export function parseTarget(baseUrl: string): Pick<ShareSpec, 'host' | 'port' | 'tls' | 'hostHeader' | 'serverName'> {
  const url = new URL(baseUrl);
  const tls = url.protocol === 'https:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : tls ? 443 : 80,
    tls,
    hostHeader: url.host,
    // TLS SNI and certificate name: the URL's host name, also when the connection goes to the
    // address the URL guard resolved it to (connectHost).
    serverName: net.isIP(url.hostname.replace(/^\[(.*)\]$/, '$1')) ? null : url.hostname,
  };
}

export interface Measured {
  results: ShareResult[];
  /** CPU of the whole process over the run, percent of one core. */
  cpuPercent: number;
}

export interface ShareRunOptions {
  signal?: AbortSignal | undefined;
  onProgress?: OnProgress | undefined;
  /**
   * The schedule's start on the nowUs clock, asked once every connection is open; default: START_LEAD_US
   * from then. A generator agent gives the instant the orchestrator chose for every node.
   */
  startAt?: () => number;
  /** Caveats for the step (how the measuring threads were pinned). */
  notes?: string[];
}

/** Runs shares: one in this thread, several in worker threads (one per share); results in share order. */
export function runShares(specs: ShareSpec[], opts: ShareRunOptions = {}): Promise<Measured> {
  const startAt = opts.startAt ?? (() => nowUs() + START_LEAD_US);
  return specs.length === 1 ? runInProcess(specs[0]!, startAt, opts.signal, opts.onProgress) : runInWorkers(specs, startAt, opts.signal, opts.onProgress, opts.notes);
}

export function cpuSince(cpu0: NodeJS.CpuUsage, wall0Us: number): number {
  const cpu = process.cpuUsage(cpu0);
  const wallUs = nowUs() - wall0Us;
  return wallUs > 0 ? ((cpu.user + cpu.system) / wallUs) * 100 : 0;
}

/**
 * Live progress, twice a second, for a person watching: counters and a recent p99 (a quickselect
 * over 2,048 values, tens of µs — far below the stall threshold, and nothing else). Never after the
 * step resolved.
 */
const PROGRESS_EVERY_MS = 500;
type OnProgress = NonNullable<StepObserver['onProgress']>;
type ShareProgress = ReturnType<Share['progress']>;

function progressTicker(startUs: number, poll: (emit: (parts: ShareProgress[]) => void) => void, onProgress?: OnProgress): () => void {
  if (!onProgress) return () => {};
  let stopped = false;
  const emit = (parts: ShareProgress[]) => {
    if (stopped) return;
    const p99s = parts.map((p) => p.p99Us).filter((v): v is number => v !== null);
    onProgress({
      elapsedMs: Math.max(0, (nowUs() - startUs) / 1000),
      sent: parts.reduce((s, p) => s + p.sent, 0),
      completed: parts.reduce((s, p) => s + p.completed, 0),
      errors: parts.reduce((s, p) => s + p.errors, 0),
      p99Us: p99s.length > 0 ? Math.max(...p99s) : null,
    });
  };
  const timer = setInterval(() => poll(emit), PROGRESS_EVERY_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

async function runInProcess(spec: ShareSpec, startAt: () => number, signal?: AbortSignal, onProgress?: OnProgress): Promise<Measured> {
  const share = new Share(spec);
  await share.connect();
  const startUs = startAt();
  const stopProgress = progressTicker(startUs, (emit) => emit([share.progress()]), onProgress);
  const onAbort = () => share.abort();
  // A listener on an already-aborted signal never fires: abort at once instead.
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const cpu0 = process.cpuUsage();
  const wall0 = nowUs();
  try {
    const result = await share.run(startUs);
    return { results: [result], cpuPercent: cpuSince(cpu0, wall0) };
  } finally {
    stopProgress();
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Worker threads must load worker.ts, TypeScript. Node 20 does not apply `--import tsx` from a
 * worker's execArgv before resolving its entry (ERR_UNKNOWN_FILE_EXTENSION, verified), so the worker
 * starts from a tiny eval'd bootstrap that registers tsx's ESM hooks in the thread, then imports
 * worker.ts. Works under bin/httpbench.js, plain `tsx`, and vitest.
 */
function spawnWorker(spec: ShareSpec): Worker {
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/index\.cjs$/, 'index.mjs');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: spec });
}

/**
 * One measuring thread per CPU: each worker is pinned to its own CPU of the process's set when there
 * are enough, so two busy-polling threads never share a core. The main thread (progress, container
 * stats, saving run.json) stays on the whole set; its work during a step is a few callbacks a second.
 */
async function pinWorkers(tids: Array<number | null>, notes: string[]): Promise<void> {
  const cpus = await allowedCpus();
  if (cpus === null || cpus.length < tids.length || tids.some((t) => t === null)) {
    notes.push(`measuring threads not pinned one per CPU (${cpus === null ? 'CPU set unknown' : `${tids.length} threads on ${cpus.length} CPU(s)`})`);
    return;
  }
  const problems = (await Promise.all(tids.map((tid, i) => pinThread(tid!, cpus[i]!)))).filter((p) => p !== null);
  notes.push(problems.length > 0 ? problems.join('; ') : `measuring threads pinned one per CPU: ${cpus.slice(0, tids.length).join(', ')}`);
}

async function runInWorkers(specs: ShareSpec[], startAt: () => number, signal?: AbortSignal, onProgress?: OnProgress, notes: string[] = []): Promise<Measured> {
  const workers = specs.map(spawnWorker);
  const post = (msg: ToWorker) => workers.forEach((w) => w.postMessage(msg));
  const onAbort = () => post({ type: 'abort' });
  // Progress: ask every worker, emit once all answered (the latest answer of each).
  const latest = new Map<Worker, ShareProgress>();
  let pendingEmit: ((parts: ShareProgress[]) => void) | null = null;
  let stopProgress = () => {};
  try {
    const ready: Promise<void>[] = [];
    const tids: Array<number | null> = workers.map(() => null);
    const results: Promise<ShareResult>[] = [];
    for (const w of workers) {
      let readyResolve!: () => void;
      ready.push(new Promise<void>((r) => (readyResolve = r)));
      results.push(
        new Promise<ShareResult>((resolve, reject) => {
          w.on('message', (msg: FromWorker) => {
            if (msg.type === 'ready') {
              tids[workers.indexOf(w)] = msg.tid;
              readyResolve();
            }
            else if (msg.type === 'progress') {
              latest.set(w, msg.progress);
              if (pendingEmit && latest.size === workers.length) {
                pendingEmit([...latest.values()]);
                pendingEmit = null;
              }
            } else resolve(msg.result);
          });
          w.once('error', (error) => reject(new InternalError('a load worker thread failed', { cause: error })));
          w.once('exit', (code) => reject(new InternalError(`a load worker thread exited (code ${code}) before returning its result`)));
        }),
      );
    }
    // A worker that dies before 'ready' must fail the step, not hang it.
    await Promise.race([Promise.all(ready), Promise.all(results)]);
    await pinWorkers(tids, notes);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const cpu0 = process.cpuUsage();
    const wall0 = nowUs();
    const startUs = startAt();
    post({ type: 'start', startUs });
    stopProgress = progressTicker(
      startUs,
      (emit) => {
        pendingEmit = emit;
        post({ type: 'progress' });
      },
      onProgress,
    );
    const all = await Promise.all(results);
    return { results: all, cpuPercent: cpuSince(cpu0, wall0) };
  } finally {
    stopProgress();
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export function sumCounts(all: Counts[]): Counts {
  const total: Counts = { sent: 0, completed: 0, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0, intended: 0, connectFailures: 0 };
  for (const c of all) {
    total.intended! += c.intended ?? 0;
    total.connectFailures! += c.connectFailures ?? 0;
    total.sent += c.sent;
    total.completed += c.completed;
    total.errors += c.errors;
    total.timeouts += c.timeouts;
    total.non2xx += c.non2xx;
    total.late += c.late;
    total.dropped += c.dropped;
    for (const [k, v] of Object.entries(c.errorsByKind)) total.errorsByKind[k] = (total.errorsByKind[k] ?? 0) + v;
  }
  return total;
}

/** Merges per-interval histograms by index and writes them as an HdrHistogram log (values in µs). */
function intervalLog(results: ShareResult[], intervalMs: number, startEpochMs: number): string {
  const byIndex = new Map<number, string[]>();
  for (const r of results) for (const [i, h] of r.intervals) byIndex.set(i, [...(byIndex.get(i) ?? []), h]);
  const intervals = [...byIndex.keys()]
    .sort((a, b) => a - b)
    .map((i) => ({ startS: (i * intervalMs) / 1000, endS: ((i + 1) * intervalMs) / 1000, histogram: mergeEncoded(byIndex.get(i)!) }));
  return encodeIntervalLog(intervals, startEpochMs, 'httpbench corrected latency per interval, values in µs; Interval_Max in ms');
}

/**
 * One step from its shares' results: counts summed, histograms merged exactly. `busyThreads` is how
 * many threads the shares' spinning may keep busy (default: this process's threads on its CPUs; the
 * generator cluster passes the nodes' own figures).
 */
export function buildStep(
  spec: StepSpec,
  workers: number,
  pacing: Pacing,
  results: ShareResult[],
  cpuPercent: number,
  notes: string[],
  startEpochMs: number,
  busyThreads: number = Math.min(workers, affinityCpuCount()),
  threadWorkPercent?: number,
): EngineStep {
  const open = spec.rateRps !== null;
  const spin = pacing === 'spin';
  const counts = sumCounts(results.map((r) => r.counts));
  if (!open) counts.intended = counts.sent;
  const uncorrected = mergeEncoded(results.map((r) => r.histograms.uncorrected));
  const corrected = mergeEncoded(results.map((r) => r.histograms.corrected));
  const lateness = mergeEncoded(results.map((r) => r.histograms.lateness));
  const readDelay = mergeEncoded(results.map((r) => r.histograms.readDelay));
  const loopTurn = mergeEncoded(results.map((r) => r.histograms.loopTurn));
  const durationS = spec.durationS;
  const achievedRps = counts.completed / durationS;
  const droppedByGenerator = results.reduce((s, r) => s + r.droppedByGenerator, 0);
  const latenessP = percentilesUs(lateness);
  // Spin pacing: the threads are 100 % busy by design; what they spent working is the saturation signal.
  // Side by side (side-by-side.ts), one thread measured several targets: its load is all of theirs.
  const workCpuPercent = spin ? (threadWorkPercent ?? workPercent(results)) : cpuPercent;
  const verdict = generatorBound({
    offeredRps: spec.rateRps,
    achievedRps,
    sent: counts.sent,
    intended: counts.intended ?? counts.sent,
    late: counts.late,
    droppedByGenerator,
    latenessP50Us: open && lateness.totalCount > 0 ? latenessP.p50 : null,
    latenessP99Us: open && lateness.totalCount > 0 ? latenessP.p99 : null,
    cpuPercent: workCpuPercent,
    busyThreads,
    ceiling: spec.ceiling ?? null,
  });
  if (results.some((r) => r.aborted)) notes.push('step aborted before its schedule ended; in-flight requests were abandoned');
  if (counts.dropped > droppedByGenerator) {
    notes.push(`${counts.dropped - droppedByGenerator} scheduled sends were never made because their connection was still busy or reconnecting when the step ended; their latency is not in the histograms`);
  }
  if (open && counts.late > 0) {
    notes.push(`${counts.late} of ${counts.sent} sends left more than ${LATE_THRESHOLD_US} µs late (generator lateness p99 ${Math.round(latenessP.p99)} µs); lateness is subtracted from corrected latency`);
  }
  if ((counts.connectFailures ?? 0) > 0) {
    notes.push(`${counts.connectFailures} connection attempts failed; requests they kept from being sent count as errors, one per intended request`);
  }
  // Spin pacing measures each response's read delay; sleep pacing can only estimate it from the
  // event-loop delay (the thread with the worst delays stands for all: the estimate must not flatter).
  const sleepDelays = results.map((r) => r.sleepDelay).filter((d) => d !== null);
  const worstSleep = sleepDelays.length > 0 ? sleepDelays.reduce((a, b) => (b.percentilesUs.p99 > a.percentilesUs.p99 ? b : a)) : null;
  const stalled = spin ? results.reduce((s, r) => s + r.stalledResponses, 0) : Math.round((worstSleep?.stalledFraction ?? 0) * counts.completed);
  const readDelayP = spin ? (readDelay.totalCount > 0 ? percentilesUs(readDelay) : null) : (worstSleep?.percentilesUs ?? null);
  const latency = { uncorrected: percentilesUs(uncorrected), corrected: open ? percentilesUs(corrected) : null };
  const caveats = latencyCaveats(latency.corrected ?? latency.uncorrected, readDelayP, stalled, counts.completed, STALL_THRESHOLD_US);
  const intervalMs = spec.intervalMs ?? DEFAULT_INTERVAL_MS;
  return {
    engine: 'openloop',
    offeredRps: spec.rateRps,
    achievedRps,
    durationS,
    connections: spec.connections,
    counts,
    latencyUs: latency,
    generator: {
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      workers,
      cpuset: spec.generatorCpuset,
      bound: verdict.bound,
      boundReasons: verdict.reasons,
      latenessUs: open ? { p50: latenessP.p50, p99: latenessP.p99, max: latenessP.max } : null,
      eventLoopDelayP99Us: Math.round(Math.max(...results.map((r) => r.eventLoopDelayP99Us))),
      pacing,
      workCpuPercent: Math.round(workCpuPercent * 10) / 10,
      readDelayUs: readDelayP,
      stalls: readDelayP ? { thresholdUs: STALL_THRESHOLD_US, responses: stalled, fraction: counts.completed > 0 ? stalled / counts.completed : 0 } : null,
      latencyCaveats: caveats,
    },
    notes,
    histograms: {
      uncorrected: encodeHistogram(uncorrected),
      corrected: open ? encodeHistogram(corrected) : null,
      lateness: open ? encodeHistogram(lateness) : null,
      intervalLog: open ? intervalLog(results, intervalMs, startEpochMs) : null,
      readDelay: spin ? encodeHistogram(readDelay) : null,
      loopTurn: spin ? encodeHistogram(loopTurn) : null,
    },
  };
}

/** Work time of spinning threads over their wall time, percent of one core (summed over threads). */
export function workPercent(results: ShareResult[]): number {
  let total = 0;
  for (const r of results) if (r.workUs !== null && r.wallUs > 0) total += (r.workUs / r.wallUs) * 100;
  return total;
}
