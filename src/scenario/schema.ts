/**
 * Scenario file schema (YAML). Unknown keys are errors (strict objects) so a typo never silently
 * falls back to a default. Defaults are applied here, so a resolved Scenario is complete.
 */
import { z } from 'zod';
import { ScenarioCompareSchema } from './compare.ts';
import { cpusetProblem } from '../util/cpuset.ts';
import * as L from '../util/limits.ts';

/**
 * The load engines a scenario (and run.json's steps) can name. src/load/index.ts maps each to its
 * implementation with `satisfies Record<EngineName, …>`, so a name without an engine does not compile.
 */
export const ENGINE_NAMES = ['openloop', 'autocannon'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

const positiveNumber = (what: string) => z.number({ error: `${what} must be a number` }).positive({ error: `${what} must be > 0` });
const positiveInt = (what: string) =>
  z.number({ error: `${what} must be an integer` }).int({ error: `${what} must be an integer` }).positive({ error: `${what} must be > 0` });
/** Durations, rates and counts bounded to what they can mean (src/util/limits.ts says why each). */
const duration = (what: string) => positiveNumber(what).max(L.MAX_STEP_DURATION_S, { error: `${what} must be ≤ ${L.MAX_STEP_DURATION_S} s (a day)` });
const startupTimeout = (what: string) => positiveNumber(what).max(L.MAX_STARTUP_TIMEOUT_S, { error: `${what} must be ≤ ${L.MAX_STARTUP_TIMEOUT_S} s (an hour)` });
const rate = (what: string) =>
  z.number({ error: `${what} must be a number` }).superRefine((v, ctx) => {
    // One problem per value: a negative rate is "> 0", not also "≥ 0.01".
    const problem = v <= 0 ? 'must be > 0' : v < L.MIN_RATE_RPS ? `must be ≥ ${L.MIN_RATE_RPS} req/s` : v > L.MAX_RATE_RPS ? `must be ≤ ${L.MAX_RATE_RPS} req/s` : null;
    if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
  });
const connections = (what: string) => positiveInt(what).max(L.MAX_CONNECTIONS, { error: `${what} must be ≤ ${L.MAX_CONNECTIONS}` });

/** Environment values may use ${cpus}, replaced by the CPU budget when the target starts. */
export const ConfigurationSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'configuration id must be lowercase letters, digits and dashes' }),
  description: z.string().default(''),
  env: z.record(z.string(), z.string()).default({}),
  /**
   * Where the target reads its users: `memory` (built at start-up, the default) or `postgres` (the
   * harness starts and seeds a PostgreSQL container, `database:` below, and passes STORE,
   * DATABASE_URL, DB_POOL_SIZE and USERS; targets/CONTRACT.md). Absent = memory.
   */
  store: z.enum(['memory', 'postgres'], { error: 'store must be memory or postgres' }).optional(),
});
export type Configuration = z.infer<typeof ConfigurationSchema>;

export const DockerTargetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'target name must be lowercase letters, digits and dashes' }),
  /** Build context directory, relative to the project root (filtered by its .dockerignore). */
  context: z.string(),
  /** Dockerfile path relative to the project root; must lie inside `context`. */
  dockerfile: z.string(),
  /** Path of the handler source, relative to the project root (for the lines-of-code claim). */
  handler: z.string().optional(),
  configurations: z.array(ConfigurationSchema).min(1).default([{ id: 'default', description: '', env: {} }]),
});

export const UrlTargetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'target name must be lowercase letters, digits and dashes' }),
  /** A service the user already runs; must be loopback unless the run allows remote hosts. */
  url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' }),
  handler: z.string().optional(),
  configurations: z.array(ConfigurationSchema).min(1).default([{ id: 'default', description: '', env: {} }]),
});

export const TargetSpecSchema = z.union([DockerTargetSchema, UrlTargetSchema], {
  error: 'a target needs either {name, context, dockerfile} (Docker) or {name, url} (running service)',
});
export type TargetSpec = z.infer<typeof TargetSpecSchema>;
export type DockerTargetSpec = z.infer<typeof DockerTargetSchema>;
export type UrlTargetSpec = z.infer<typeof UrlTargetSchema>;

/** Target kinds of a scenario; what each needs from a run is in src/targets/kinds.ts. */
export type TargetKind = 'docker' | 'url';

/**
 * The one place that tells the kinds apart, by the field only a url: target's schema has: the
 * scenario's checks, the CLI and the orchestrator ask `isDockerTarget` instead of checking shapes.
 */
export function targetKind(spec: TargetSpec): TargetKind {
  return 'url' in spec ? 'url' : 'docker';
}

export function isDockerTarget(spec: TargetSpec): spec is DockerTargetSpec {
  return targetKind(spec) === 'docker';
}

export function isUrlTarget(spec: TargetSpec): spec is UrlTargetSpec {
  return targetKind(spec) === 'url';
}

export const IdsSchema = z.strictObject({
  distribution: z.enum(['uniform', 'sequential', 'zipf']).default('uniform'),
  min: positiveInt('ids.min').max(L.MAX_ID, { error: `ids.min must be ≤ ${L.MAX_ID}` }).default(1),
  max: positiveInt('ids.max').max(L.MAX_ID, { error: `ids.max must be ≤ ${L.MAX_ID}` }).default(10_000),
  /** Zipf exponent (only for distribution: zipf). */
  zipfS: positiveNumber('ids.zipfS').max(100, { error: 'ids.zipfS must be ≤ 100' }).default(1.1),
  /** Seed of the id sequence, so runs are repeatable. */
  seed: z.number().int().default(1),
});

/**
 * An absolute gate for CI (k6's thresholds are the model): "go-chi p99 at 10,000 req/s < 2 ms".
 * Evaluated from run.json alone (src/analysis/thresholds.ts); a failing or unmeasurable threshold
 * makes `run`/`report` exit 1. Cross-field checks (known target, atRps where needed) are in
 * src/scenario/thresholds.ts.
 */
export const THRESHOLD_METRICS = ['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'p999Ms', 'errorRate', 'maxRps', 'sustainableRps', 'memoryPeakMiB', 'imageSizeMB', 'coldStartMs'] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

export const ThresholdSchema = z.strictObject({
  /** Name shown in reports and in the exit message; default: the threshold written out. */
  name: z.string().min(1).optional(),
  target: z.string({ error: 'thresholds[].target must name a target' }),
  /** Configuration id; omitted = every configuration of the target that ran. */
  configuration: z.string().optional(),
  metric: z.enum(THRESHOLD_METRICS, { error: `metric must be one of ${THRESHOLD_METRICS.join(', ')}` }),
  /** Offered rate of the open-loop step, req/s: required for latency percentiles and errorRate, else absent. */
  atRps: rate('thresholds[].atRps').optional(),
  op: z.enum(['<', '<=', '>', '>='], { error: "op must be one of '<', '<=', '>', '>='" }),
  /** In the metric's unit (ms, req/s, MiB, MB; errorRate as a fraction 0–1). */
  value: z.number({ error: 'thresholds[].value must be a number' }).nonnegative({ error: 'thresholds[].value must be ≥ 0' }),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

/** A cpuset ("1", "2-3", "0,2") with CPU numbers Linux can have: scenario and run.json both use it (src/util/cpuset.ts). */
export const CpusetStringSchema = z.string().superRefine((spec, ctx) => {
  const problem = cpusetProblem(spec);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The PostgreSQL service the harness owns for `store: postgres` configurations (one per run). */
export const DatabaseSchema = z.strictObject({
  /**
   * Image to run. The default is the official major version; where it cannot be pulled the harness
   * uses the stand-in httpbench-base/postgres:17 from scripts/build-bases.sh (run.json says which).
   */
  image: z.string().min(1).default('postgres:17'),
  /** Connections per target process (DB_POOL_SIZE): per uvicorn worker for FastAPI, the one pool for Go. */
  poolSize: positiveInt('database.poolSize').max(1000, { error: 'database.poolSize must be ≤ 1000' }).default(10),
  /** Memory limit of the database container, MiB (its data directory lives in it, on tmpfs). */
  memoryMiB: positiveInt('database.memoryMiB').default(512),
  /** CPUs of the database container; default: the targets' cpuset (so it shares their CPU budget). */
  cpuset: CpusetStringSchema.optional(),
  /** Extra server settings, passed as `postgres -c name=value` and recorded in run.json. */
  settings: z
    .record(z.string().regex(/^[a-z][a-z0-9_.]*$/, { error: 'database.settings keys are PostgreSQL setting names (lowercase)' }), z.string())
    .default({ max_connections: '200' }),
  /**
   * Which target image seeds the table, and its seed command (the image's entrypoint gets it):
   * go-chi `-seed`, fastapi `python -m app.seed` (targets/CONTRACT.md, "Seeding").
   */
  seed: z
    .strictObject({ target: z.string(), command: z.array(z.string()).min(1, { error: 'database.seed.command needs at least one word' }) })
    .default({ target: 'go-chi', command: ['-seed'] }),
  /** Seconds to wait for the database to accept connections. */
  startupTimeoutS: startupTimeout('database.startupTimeoutS').default(60),
});
export type DatabaseSpec = z.infer<typeof DatabaseSchema>;

/**
 * Where the targets run when not on this machine: a Docker engine (URL such as tcp://10.0.0.5:2375 or
 * ssh://bench@server, or a Docker context name) and the address the targets bind to on that host.
 * Naming the address here is what allows load to it (see src/load/url-guard.ts).
 */
export const HostsSchema = z.strictObject({
  targets: z
    .strictObject({
      docker: z.string().min(1, { error: 'hosts.targets.docker: give an engine URL (tcp://…, ssh://…) or a Docker context name' }),
      address: z.union([z.ipv4(), z.ipv6()], { error: 'hosts.targets.address must be an IP address of the targets\' host' }),
    })
    .optional(),
  /**
   * Where the load comes from when one machine is not enough (README "Several load machines"): a
   * Docker swarm manager's engine and how many of its nodes run a generator agent (one share each).
   */
  generators: z
    .strictObject({
      swarm: z.string().min(1, { error: "hosts.generators.swarm: give the swarm manager's engine URL (tcp://…, ssh://…) or a context name" }),
      nodes: positiveInt('hosts.generators.nodes'),
      /** The agent image on every node (docker/generator.Dockerfile). */
      image: z.string().min(1).default('httpbench/generator:latest'),
      /** cpuset each agent pins itself to on its node (e.g. "0-3"); absent: all of the node's CPUs. */
      cpus: z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, { error: 'hosts.generators.cpus must look like "0" or "0-3"' }).optional(),
    })
    .optional(),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'name must be lowercase letters, digits and dashes' }),
  description: z.string().default(''),
  targets: z.array(TargetSpecSchema).min(1, { error: 'at least one target is needed' }),
  resources: z
    .strictObject({
      /**
       * CPUs every target may use (same budget for all). "half" = half the host's CPUs (at least 1),
       * leaving the rest to the generator; run.json stores the resolved number.
       */
      cpus: z.union([positiveInt('resources.cpus').max(L.MAX_CPUS, { error: `resources.cpus must be ≤ ${L.MAX_CPUS}` }), z.literal('half')], { error: 'resources.cpus must be a positive integer or "half"' }).default('half'),
      /** Explicit target cpuset (e.g. "1" or "2-3"); default: the last `cpus` CPUs of the host. */
      targetCpuset: CpusetStringSchema.optional(),
      /** Explicit generator cpuset; default: every host CPU not given to the target. */
      generatorCpuset: CpusetStringSchema.optional(),
      /** Memory limit per target container, MiB. */
      memoryMiB: positiveInt('resources.memoryMiB').default(512),
      /** Process/thread limit per target container. */
      pids: positiveInt('resources.pids').max(L.MAX_PIDS, { error: `resources.pids must be ≤ ${L.MAX_PIDS}` }).default(512),
    })
    .prefault({}),
  load: z
    .strictObject({
      warmupS: z.number().nonnegative({ error: 'load.warmupS must be ≥ 0' }).max(L.MAX_STEP_DURATION_S, { error: `load.warmupS must be ≤ ${L.MAX_STEP_DURATION_S} s (a day)` }).default(3),
      connections: connections('load.connections').default(32),
      /**
       * Generator worker threads for open-loop steps; "auto" = one per CPU of the generator's cpuset
       * (run.json stores the resolved number).
       */
      workers: z.union([positiveInt('load.workers').max(L.MAX_WORKERS, { error: `load.workers must be ≤ ${L.MAX_WORKERS}` }), z.literal('auto')], { error: 'load.workers must be a positive integer or "auto"' }).default(1),
      timeoutMs: positiveInt('load.timeoutMs').max(L.MAX_REQUEST_TIMEOUT_MS, { error: `load.timeoutMs must be ≤ ${L.MAX_REQUEST_TIMEOUT_MS} (latencies are recorded up to 60 s)` }).default(2000),
      /**
       * How the open-loop engine waits: `spin` busy-polls (one core per generator thread, response
       * times read within a loop turn: the precise mode); `sleep` waits in timers and epoll (low
       * power, response times include the generator's wake-up latency).
       */
      pacing: z.enum(['spin', 'sleep']).default('spin'),
      /**
       * The instrument's floor: before the targets, the open-loop engine drives the calibration
       * server (bench/server, pinned to the targets' CPUs) at every rate of load.steps.rates.
       */
      calibration: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Seconds per rate. */
          durationS: duration('load.calibration.durationS').default(2),
          /**
           * Seconds of the throughput-ceiling step: the max step's engine, threads and connections in
           * closed loop against the calibration server; 0 skips it (no ceiling, CPU rules only).
           */
          ceilingDurationS: z.number().nonnegative({ error: 'load.calibration.ceilingDurationS must be ≥ 0' }).max(86_400, { error: 'load.calibration.ceilingDurationS must be ≤ 86400' }).default(3),
        })
        .prefault({}),
      max: z
        .strictObject({
          durationS: duration('load.max.durationS').default(5),
          connections: connections('load.max.connections').default(64),
          /**
           * Engine of the closed-loop maximum (and the warm-up): `openloop` = the project's engine in
           * closed-loop mode (each connection sends its next request when the previous response is
           * complete), one busy-polling thread per generator CPU (load.workers), histograms merged
           * exactly; `autocannon` = one autocannon thread, kept as a second opinion.
           */
          engine: z.enum(ENGINE_NAMES).default('openloop'),
        })
        .prefault({}),
      steps: z
        .strictObject({
          engine: z.enum(ENGINE_NAMES).default('openloop'),
          /**
           * Offered rates, req/s: a list, or `auto` = a ladder from each target's measured closed-loop
           * maximum (src/plan/ladder.ts), merged with the rates the claims, thresholds and `include`
           * name, so the sweep has no fixed top.
           */
          rates: z.union([z.literal('auto'), z.array(rate('load.steps.rates[]')).min(1, { error: 'give at least one rate' })], {
            error: 'load.steps.rates must be "auto" or a list of rates (req/s)',
          }),
          /** Rates always offered besides the auto ladder (with `rates: auto`), req/s. */
          include: z.array(rate('load.steps.include[]')).default([]),
          durationS: duration('load.steps.durationS').default(5),
          /** Stop stepping once a step saturates. */
          stopAtSaturation: z.boolean().default(true),
        }),
      knee: z
        .strictObject({
          /** Bisection steps between the last good and the first bad rate; 0 disables refinement. */
          refineSteps: z.number().int().nonnegative().max(L.MAX_REFINE_STEPS, { error: `load.knee.refineSteps must be ≤ ${L.MAX_REFINE_STEPS}` }).default(2),
        })
        .prefault({}),
      ids: IdsSchema.prefault({}),
    }),
  slo: z
    .strictObject({
      /** A step whose p99 (corrected when available) exceeds this is saturated, ms. */
      p99Ms: positiveNumber('slo.p99Ms').max(L.MAX_SLO_P99_MS, { error: `slo.p99Ms must be ≤ ${L.MAX_SLO_P99_MS} (latencies are recorded up to 60 s)` }).default(100),
      /** Maximum fraction of failed requests (errors + timeouts + non-2xx) of the intended requests (src/analysis/summary.ts). */
      errorRate: z.number().min(0, { error: 'slo.errorRate must be ≥ 0' }).max(1, { error: 'slo.errorRate must be ≤ 1' }).default(0.01),
    })
    .prefault({}),
  /** Repetitions of the whole target set, order alternated A B B A. */
  repeat: positiveInt('repeat').max(L.MAX_REPEAT, { error: `repeat must be ≤ ${L.MAX_REPEAT}` }).default(1),
  /** Seconds to wait for a target's first 200 before it is failed. */
  startupTimeoutS: startupTimeout('startupTimeoutS').default(60),
  /** The PostgreSQL service for `store: postgres` configurations; ignored when none uses it. */
  database: DatabaseSchema.prefault({}),
  /** Claims registry, relative to the scenario file; null for none. */
  claims: z.string().nullable().default(null),
  /** `httpbench compare` settings for runs of this scenario (thresholds); absent = the defaults. */
  compare: ScenarioCompareSchema.optional(),
  /** Absolute gates (see ThresholdSchema); optional so run.json files written before them still read. */
  thresholds: z.array(ThresholdSchema).optional(),
  /** Run the targets on another machine (README "Two machines"); absent = this machine. */
  hosts: HostsSchema.optional(),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
