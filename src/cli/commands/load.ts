/**
 * `httpbench load <url> --rate R`: one load step against a running service, no Docker, no scenario.
 * Prints a short table, or with --json exactly one JSON object (the engine's step). Never calls
 * process.exit: bad flags throw ConfigError (exit 2).
 */
import { MAX_CONNECTIONS, MAX_ID, MAX_RATE_RPS, MAX_REQUEST_TIMEOUT_MS, MAX_STEP_DURATION_S, MAX_WORKERS, MIN_RATE_RPS } from '../../util/limits.ts';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.ts';
import { ENGINE_NAMES, engineFor, type EngineName } from '../../load/index.ts';
import type { MeasuredStep, StepSpec } from '../../load/types.ts';
import { latencyOrAbsent } from '../../analysis/step-rules.ts';
import { checkRequestPath } from '../../load/request-path.ts';
import { guardLoadUrl, type Resolver } from '../../load/url-guard.ts';
import { currentPinnedCpuset } from '../../load/pin.ts';
import type { PercentilesUs } from '../../schema/run.ts';
import { formatMsFromUs } from '../../util/format.ts';

interface LoadArgs {
  url: string;
  rate: number;
  duration: number;
  connections: number;
  workers: number;
  timeout: number;
  engine: EngineName;
  'path-template'?: string;
  'ids-max': number;
  json: boolean;
  'allow-remote': boolean;
  pacing: 'spin' | 'sleep';
}

export const loadCommand: CommandModule<object, LoadArgs> = {
  command: 'load <url>',
  describe: 'drive one running service at a constant rate and print latency and throughput',
  builder: (y) =>
    y
      .positional('url', { type: 'string', demandOption: true, describe: 'target URL, e.g. http://127.0.0.1:8000/users/{id}' })
      .option('rate', { type: 'number', demandOption: true, describe: 'offered rate, requests/s' })
      .option('duration', { type: 'number', default: 10, describe: 'step duration, seconds' })
      .option('connections', { type: 'number', default: 16, describe: 'keep-alive connections' })
      .option('workers', { type: 'number', default: 1, describe: 'generator worker threads (openloop engine)' })
      .option('timeout', { type: 'number', default: 2000, describe: 'per-request timeout, ms' })
      .option('engine', { choices: ENGINE_NAMES, default: 'openloop' as const, describe: 'load engine' })
      .option('path-template', { type: 'string', describe: "request path; {id} is replaced by ids 1..--ids-max (default: the URL's own path)" })
      .option('ids-max', { type: 'number', default: 10_000, describe: 'largest id for {id} (ids are uniform from 1, seed 1)' })
      .option('pacing', {
        choices: ['spin', 'sleep'] as const,
        default: 'spin' as const,
        describe: 'openloop: spin = busy-poll one core per worker (precise); sleep = low power, response times include the generator wake-up latency',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of the table' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'allow a host other than loopback (only hosts you own)' }),
  handler: async (args) => {
    // Report the CPUs the generator really runs on (e.g. under `taskset -c 0`), as `run` does.
    const spec = { ...(await stepSpecFromArgs(args)), generatorCpuset: await currentPinnedCpuset() };
    const step = await engineFor(args.engine).runStep(spec);
    // No completed request → no latency (null / "no data"), never percentiles of 0.
    const shown: MeasuredStep = { ...step, latencyUs: latencyOrAbsent(step.latencyUs) };
    process.stdout.write(args.json ? `${JSON.stringify(shown)}\n` : renderLoadTable(args.url, shown));
  },
};

/**
 * Checks every flag at once (all problems in one ConfigError), resolves and guards the host, and builds
 * the step. `resolve` is injectable so tests can play a hosts file.
 */
export async function stepSpecFromArgs(args: LoadArgs, resolve?: Resolver): Promise<StepSpec> {
  const { url, address } = await guardLoadUrl(args.url.replaceAll('{id}', '1'), {
    allowRemote: args['allow-remote'],
    ...(resolve ? { resolve } : {}),
  });
  const problems: string[] = [];
  // Bounds as in the scenario (src/util/limits.ts): a timer above 2^31 − 1 ms would fire at once.
  const positive = (flag: string, v: number, integer: boolean, max: number, unit = '', min = 0) => {
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) problems.push(`--${flag} must be a positive ${integer ? 'integer' : 'number'} (got ${v})`);
    else if (v > max) problems.push(`--${flag} must be ≤ ${max}${unit} (got ${v})`);
    else if (v < min) problems.push(`--${flag} must be ≥ ${min}${unit} (got ${v})`);
  };
  positive('rate', args.rate, false, MAX_RATE_RPS, ' req/s', MIN_RATE_RPS);
  positive('duration', args.duration, false, MAX_STEP_DURATION_S, ' s');
  positive('connections', args.connections, true, MAX_CONNECTIONS);
  positive('workers', args.workers, true, MAX_WORKERS);
  positive('timeout', args.timeout, true, MAX_REQUEST_TIMEOUT_MS, ' ms');
  positive('ids-max', args['ids-max'], true, MAX_ID);
  if (problems.length > 0) throw new ConfigError('invalid load flags', { problems, hint: 'see httpbench load --help' });
  // The URL's own path keeps a literal {id} (URL parsing would escape the braces).
  const ownPath = new URL(args.url).pathname.replaceAll('%7Bid%7D', '{id}') + new URL(args.url).search;
  const pathTemplate = args['path-template'] ?? ownPath;
  if (!pathTemplate.startsWith('/')) throw new ConfigError(`--path-template must start with "/" (got "${pathTemplate}")`);
  checkRequestPath(pathTemplate, '--path-template');
  return {
    baseUrl: url.origin,
    connectHost: address,
    pathTemplate,
    ids: { distribution: 'uniform', min: 1, max: args['ids-max'], zipfS: 1.1, seed: 1 },
    rateRps: args.rate,
    durationS: args.duration,
    connections: args.connections,
    workers: args.workers,
    timeoutMs: args.timeout,
    generatorCpuset: null,
    pacing: args.pacing,
  };
}


/** The human table: rates in requests/s, latencies in ms (labelled). */
export function renderLoadTable(url: string, step: MeasuredStep): string {
  const c = step.counts;
  const absent = step.latencyUs.uncorrected === null ? 'no data (no request completed)' : 'n/a';
  const row = (name: string, p: PercentilesUs | null) =>
    p ? `  ${name.padEnd(12)}${[p.p50, p.p90, p.p95, p.p99, p.p999, p.max].map((v) => formatMsFromUs(v).padStart(10)).join('')}` : `  ${name.padEnd(12)}  ${absent}`;
  const g = step.generator;
  const errorKinds = Object.entries(c.errorsByKind).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [
    `${url} — ${step.engine}, ${step.connections} connections, ${step.durationS} s`,
    `  offered ${step.offeredRps === null ? 'closed loop' : `${step.offeredRps} req/s`}, achieved ${step.achievedRps.toFixed(1)} req/s`,
    `  sent ${c.sent}  completed ${c.completed}  errors ${c.errors}${errorKinds ? ` (${errorKinds})` : ''}  timeouts ${c.timeouts}  non-2xx ${c.non2xx}  late ${c.late}  dropped ${c.dropped}`,
    '',
    `  latency, ms${['p50', 'p90', 'p95', 'p99', 'p99.9', 'max'].map((h) => h.padStart(10)).join('')}`,
    row('corrected', step.latencyUs.corrected),
    row('uncorrected', step.latencyUs.uncorrected),
    '',
    `  generator: CPU ${g.cpuPercent} % of one core${g.workCpuPercent !== undefined && g.workCpuPercent !== null && g.pacing === 'spin' ? ` (working ${g.workCpuPercent} %, the rest idle polling)` : ''}, ${g.workers} worker(s)${g.pacing ? `, ${g.pacing} pacing` : ''}` +
      (g.latenessUs ? `, lateness p50/p99/max ${formatMsFromUs(g.latenessUs.p50)}/${formatMsFromUs(g.latenessUs.p99)}/${formatMsFromUs(g.latenessUs.max)} ms` : '') +
      (g.eventLoopDelayP99Us !== null ? `, event-loop delay p99 ${formatMsFromUs(g.eventLoopDelayP99Us)} ms` : ''),
    ...(g.readDelayUs ? [`  generator read delay p50/p99/max ${formatMsFromUs(g.readDelayUs.p50)}/${formatMsFromUs(g.readDelayUs.p99)}/${formatMsFromUs(g.readDelayUs.max)} ms; ${g.stalls?.responses ?? 0} responses read after a stall > ${g.stalls?.thresholdUs ?? 0} µs`] : []),
    ...(g.latencyCaveats ?? []).map((c) => `  ${c.percentile} IN DOUBT: ${c.reason}`),
    g.bound ? `  GENERATOR-BOUND (figures are lower bounds): ${g.boundReasons.join('; ')}` : '  generator bound: no',
    ...step.notes.map((n) => `  note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}
