/**
 * The autocannon engine, kept for comparison with the article's own tool. Closed loop (rateRps null)
 * or autocannon's `overallRate`. We never use autocannon's latency summaries: its "corrected" latency
 * assumes a 1 ms expected interval and it records whole milliseconds. Instead each `response` event's
 * `responseTime` (fractional ms) goes into our µs histogram as uncorrected latency; autocannon cannot
 * tell intended from actual send times, so corrected latency and generator lateness are null.
 */
import autocannon from 'autocannon';
import { InfrastructureError } from '../errors.ts';
import { createHistogram, encodeHistogram, percentilesUs, recordUs } from '../samples/histogram.ts';
import { RecentLatencies } from '../samples/recent.ts';
import type { Counts } from '../schema/run.ts';
import { generatorBound } from './generator-bound.ts';
import { createIdSequence } from './ids.ts';
import type { EngineStep, LoadEngine, StepObserver, StepSpec } from './types.ts';

/** Caveats attached to every rate-mode step, so no reader takes its figures for open-loop ones. */
export const AUTOCANNON_RATE_NOTES = [
  'autocannon overallRate paces in per-second quotas per connection: each connection sends its quota as fast as it can at the start of each second, then idles (bursty, not a constant rate)',
  'autocannon measures latency from its actual send, with no coordinated-omission correction: a server stall delays sends instead of showing in latency (corrected latency is null)',
];

/** Live progress cadence: 2 Hz, as StepObserver allows. */
const PROGRESS_INTERVAL_MS = 500;

export class AutocannonEngine implements LoadEngine {
  readonly name = 'autocannon' as const;

  async runStep(spec: StepSpec, signal?: AbortSignal, observer?: StepObserver): Promise<EngineStep> {
    const notes: string[] = [];
    const uncorrected = createHistogram();
    let completed = 0;
    let non2xx = 0;
    /** Request errors and timeouts as they arrive, for live progress only (results use autocannon's totals). */
    let failed = 0;
    const errorsByKind: Record<string, number> = {};
    const nextId = createIdSequence(spec.ids, 0);
    const parts = spec.pathTemplate.split('{id}');
    const nextPath = parts.length === 1 ? () => spec.pathTemplate : () => parts.join(String(nextId()));

    let overallRate: number | undefined;
    if (spec.rateRps !== null) {
      // autocannon splits overallRate over connections in whole requests per second.
      overallRate = Math.max(1, Math.round(spec.rateRps));
      if (overallRate !== spec.rateRps) notes.push(`autocannon takes whole requests/s: offered ${spec.rateRps} rps rounded to ${overallRate}`);
      notes.push(...AUTOCANNON_RATE_NOTES);
    }
    let connections = spec.connections;
    if (overallRate !== undefined && overallRate < connections) {
      // autocannon gives a connection with a quota of 0 no limit at all: keep every quota ≥ 1.
      connections = overallRate;
      notes.push(`connections lowered from ${spec.connections} to ${connections}: autocannon needs ≥ 1 request/s per connection`);
    }
    // autocannon refuses timeouts under 1 s.
    const timeoutS = Math.max(1, spec.timeoutMs / 1000);
    if (timeoutS * 1000 !== spec.timeoutMs) notes.push(`autocannon's timeout is at least 1 s: ${spec.timeoutMs} ms raised to 1000 ms`);
    if (spec.workers > 1) notes.push(`autocannon engine runs in one thread; workers = ${spec.workers} ignored`);

    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    let instance: autocannon.Instance | undefined;
    const onAbort = () => instance?.stop();
    // Live progress at 2 Hz from counters this thread keeps anyway; the p99 comes from a ring of
    // recent latencies (one store per response), never from the histogram (a ~1.4 ms query, bench/progress.ts).
    const onProgress = observer?.onProgress?.bind(observer);
    const recent = onProgress ? new RecentLatencies() : null;
    const ticker = onProgress
      ? setInterval(() => {
          onProgress({
            elapsedMs: performance.now() - wall0,
            sent: completed + failed,
            completed,
            errors: failed + non2xx,
            p99Us: recent!.percentile(99),
          });
        }, PROGRESS_INTERVAL_MS)
      : null;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon(
        {
          ...autocannonTarget(spec),
          connections,
          duration: spec.durationS,
          timeout: timeoutS,
          ...(overallRate !== undefined ? { overallRate } : {}),
          requests: [{ setupRequest: (req) => ({ ...req, path: nextPath() }) }],
        },
        (error, res) => (error ? reject(new InfrastructureError('autocannon failed to run', { cause: error })) : resolve(res)),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
        completed++;
        if (statusCode < 200 || statusCode > 299) non2xx++;
        recordUs(uncorrected, responseTimeMs * 1000);
        recent?.record(responseTimeMs * 1000);
      });
      instance.on('reqError', (error: NodeJS.ErrnoException) => {
        failed++;
        // Timeouts arrive here too, as plain Errors without a code; they are counted separately.
        if (error.message === 'request timed out') return;
        const kind = error.code ?? 'error';
        errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
      });
      // A listener on an already-aborted signal never fires: stop at once instead.
      if (signal?.aborted) instance.stop();
      else signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (ticker) clearInterval(ticker);
    });
    const wallUs = (performance.now() - wall0) * 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuPercent = wallUs > 0 ? ((cpu.user + cpu.system) / wallUs) * 100 : 0;

    // autocannon's `errors` includes its timeouts; ours does not.
    const errors = Math.max(0, result.errors - result.timeouts);
    // autocannon adds each connection's whole per-second quota to its sent count for the first
    // request(s) it cannot observe, where only one request is written: take the excess back out.
    const sentOvercount = overallRate !== undefined ? overallRate - connections : 0;
    const counts: Counts = {
      sent: Math.max(0, result.requests.sent - sentOvercount),
      completed,
      errors,
      timeouts: result.timeouts,
      non2xx,
      errorsByKind,
      late: 0,
      dropped: 0,
    };
    if (non2xx !== result.non2xx) notes.push(`autocannon counted ${result.non2xx} non-2xx, the response events ${non2xx}; the events are reported`);
    const durationS = spec.durationS;
    const achievedRps = completed / durationS;
    const verdict = generatorBound({
      offeredRps: spec.rateRps,
      achievedRps,
      sent: counts.sent,
      intended: counts.sent,
      late: 0,
      droppedByGenerator: 0,
      latenessP50Us: null,
      latenessP99Us: null,
      cpuPercent,
      busyThreads: 1,
      ceiling: spec.ceiling ?? null,
    });
    return {
      engine: 'autocannon',
      offeredRps: spec.rateRps,
      achievedRps,
      durationS,
      connections,
      counts,
      latencyUs: { uncorrected: percentilesUs(uncorrected), corrected: null },
      generator: {
        cpuPercent: Math.round(cpuPercent * 10) / 10,
        workers: 1,
        cpuset: spec.generatorCpuset,
        bound: verdict.bound,
        boundReasons: verdict.reasons,
        latenessUs: null,
        eventLoopDelayP99Us: null,
      },
      notes,
      histograms: { uncorrected: encodeHistogram(uncorrected), corrected: null, lateness: null, intervalLog: null },
    };
  }
}

/** autocannon's url (and Host header): connect to spec.connectHost when the guard resolved one. */
function autocannonTarget(spec: StepSpec): { url: string; headers?: Record<string, string> } {
  if (spec.connectHost === undefined) return { url: spec.baseUrl };
  const url = new URL(spec.baseUrl);
  const host = url.host;
  url.hostname = spec.connectHost.includes(':') ? `[${spec.connectHost}]` : spec.connectHost;
  return { url: url.origin, headers: { host } };
}
