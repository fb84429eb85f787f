/**
 * The one result schema: TypeScript types and the JSON Schema both come from these zod definitions.
 * Writers validate before writing, readers validate after reading (see src/schema/io.ts).
 * Every numeric field names its unit: Us = microseconds, Ms = milliseconds, S = seconds, Bytes, Rps.
 */
import { z } from 'zod';
import { CpusetStringSchema, ENGINE_NAMES, ScenarioSchema } from '../scenario/schema.ts';
import { ClaimSchema } from './claims.ts';
import { PercentileSchema } from './percentiles.ts';
import { PercentilesUsSchema } from '../samples/percentiles.ts';
import { CalibrationSchema } from './calibration.ts';
import { ContentionSchema } from './contention.ts';

export const SCHEMA_VERSION = 1;

// Percentiles are what a histogram yields (samples/, below the documents), so their schema lives there.
export { PercentilesUsSchema, type PercentilesUs } from '../samples/percentiles.ts';

export const CountsSchema = z.strictObject({
  /** Requests written to a socket. */
  sent: z.number().int().nonnegative(),
  /** Responses fully received (any status). */
  completed: z.number().int().nonnegative(),
  /** Transport failures (connection refused/reset, parse errors), not counting timeouts. */
  errors: z.number().int().nonnegative(),
  /** Requests that got no response within the step's timeout. */
  timeouts: z.number().int().nonnegative(),
  /** Completed responses whose status was not 2xx. */
  non2xx: z.number().int().nonnegative(),
  /** Transport errors by kind, e.g. {"ECONNRESET": 3}. */
  errorsByKind: z.record(z.string(), z.number().int().nonnegative()),
  /** Sends that left more than the lateness threshold after their intended time (open loop only). */
  late: z.number().int().nonnegative(),
  /** Scheduled sends never made because the step ended with every connection busy (open loop only). */
  dropped: z.number().int().nonnegative(),
  /**
   * Requests the schedule intended before the step's end (open loop; closed loop: = sent). Every
   * intended request is sent, counted in `errors` (its connection could not be opened: attributed to
   * that failure), or `dropped`. Absent in runs written before it existed.
   */
  intended: z.number().int().nonnegative().optional(),
  /** Failed connection attempts (refused, reset, timed out); not requests. */
  connectFailures: z.number().int().nonnegative().optional(),
});
export type Counts = z.infer<typeof CountsSchema>;

export const GeneratorSchema = z.strictObject({
  /** CPU the load generator used during the step, percent of one core (200 = two cores busy). */
  cpuPercent: z.number().nonnegative(),
  /** Generator worker threads. */
  workers: z.number().int().positive(),
  /** CPUs the generator was pinned to (cpuset list), null when not pinned. */
  cpuset: z.string().nullable(),
  /** True when the generator, not the target, limited this step. Figures are then lower bounds. */
  bound: z.boolean(),
  /** Why the generator counts as the limit (empty when not bound). */
  boundReasons: z.array(z.string()),
  /** Generator lateness S − max(I, F) in microseconds; null for engines that cannot measure it. */
  latenessUs: z
    .strictObject({ p50: z.number().nonnegative(), p99: z.number().nonnegative(), max: z.number().nonnegative() })
    .nullable(),
  /** Event-loop delay of the generator in microseconds (p99), null when not measured. */
  eventLoopDelayP99Us: z.number().nonnegative().nullable(),
  /**
   * How the open-loop engine waited: `spin` = the measuring thread busy-polls (one core per thread,
   * response times read within a loop turn); `sleep` = it sleeps in timers/epoll (low power, response
   * times include its wake-up latency). Absent for autocannon.
   */
  pacing: z.enum(['spin', 'sleep']).optional(),
  /**
   * CPU the generator spent working (handling I/O, sending, stalls), percent of one core. Under spin
   * pacing this excludes idle polling, so it says how close the generator came to its limit.
   */
  workCpuPercent: z.number().nonnegative().nullable().optional(),
  /**
   * Per response, the longest the generator may have delayed reading it, µs percentiles. Spin
   * pacing measures it (time since the thread last polled its sockets); sleep pacing estimates it
   * from the event-loop delay. The corrected latency of a response includes up to this much of the
   * generator's own delay. Null when unknown (autocannon).
   */
  readDelayUs: PercentilesUsSchema.nullable().optional(),
  /**
   * Responses read after a generator stall (read delay above thresholdUs, or waiting on one); under
   * sleep pacing an estimate (the share of event-loop delay samples above the threshold).
   */
  stalls: z
    .strictObject({ thresholdUs: z.number().positive(), responses: z.number().int().nonnegative(), fraction: z.number().min(0).max(1) })
    .nullable()
    .optional(),
  /**
   * Latency percentiles of this step the generator could have caused (e.g. more than 1 % of
   * responses read after a stall puts p99 in doubt), with the reason. Claims reading them are not
   * decided by them.
   */
  latencyCaveats: z.array(z.strictObject({ percentile: PercentileSchema, reason: z.string() })).optional(),
});
export type Generator = z.infer<typeof GeneratorSchema>;

export const HistogramsSchema = z.strictObject({
  /** Compressed base64 HDR histograms (HdrHistogram V2 compressed encoding), values in µs. */
  uncorrected: z.string(),
  corrected: z.string().nullable(),
  lateness: z.string().nullable(),
  /** Per-interval corrected histograms in HdrHistogram log format, for time series; null if not kept. */
  intervalLog: z.string().nullable(),
  /** The generator's read delay per response (see generator.readDelayUs), µs; spin pacing only. */
  readDelay: z.string().nullable().optional(),
  /** Gaps between turns of the measuring thread's event loop, µs; spin pacing only. */
  loopTurn: z.string().nullable().optional(),
});
export type Histograms = z.infer<typeof HistogramsSchema>;

export const ResourceSchema = z.strictObject({
  /** Mean container CPU over the step, percent of one core. */
  cpuPercent: z.number().nonnegative(),
  /** Peak container memory during the step, bytes (usage minus inactive page cache, as docker stats). */
  memoryPeakBytes: z.number().int().nonnegative(),
  /** Number of stats samples the figures come from. */
  samples: z.number().int().nonnegative(),
});
export type Resource = z.infer<typeof ResourceSchema>;

export { ContentionSchema, type Contention } from './contention.ts';

/**
 * One generator node's share of a step run on several load machines (README "Several load
 * machines"): which node measured what. The step's own counts and histograms are these shares merged
 * exactly (counts summed, HDR buckets added): the step's completed count is the sum of the shares'.
 */
export const GeneratorShareSchema = z.strictObject({
  /** The node: its cluster ID (hostnames may repeat across nodes), host name and address. */
  node: z.strictObject({ id: z.string(), hostname: z.string(), address: z.string() }),
  /** Connections this share drove (global indices g with g mod shares = its index). */
  connections: z.number().int().positive(),
  /** This share's part of the offered rate, requests/s; null for closed loop. */
  offeredRps: z.number().positive().nullable(),
  /** Completed responses per second of this share over the step's duration. */
  achievedRps: z.number().nonnegative(),
  counts: CountsSchema,
  /** This share's latency, µs percentiles; null when nothing completed (corrected: also for closed loop). */
  latencyUs: z.strictObject({ uncorrected: PercentilesUsSchema.nullable(), corrected: PercentilesUsSchema.nullable() }),
  /** This node's generator figures: CPU, threads, lateness, stalls, and whether it limited the step. */
  generator: GeneratorSchema,
  /** The node's clock: offset from the orchestrator's (node − orchestrator) and its error bound (half the best round trip), µs. */
  clock: z.strictObject({ offsetUs: z.number(), errorUs: z.number().nonnegative(), rounds: z.number().int().positive() }),
  /** How long after the common start instant this node had its connections open, µs (0 = in time). */
  startSlipUs: z.number().nonnegative(),
  /** This share's HDR histograms (compressed base64, µs), so the merge can be re-checked from run.json. */
  histograms: z.strictObject({ uncorrected: z.string(), corrected: z.string().nullable() }),
});
export type GeneratorShare = z.infer<typeof GeneratorShareSchema>;

export const StepSchema = z.strictObject({
  /** max = closed-loop maximum throughput; rate = open-loop step at offeredRps; knee = refinement step. */
  kind: z.enum(['max', 'rate', 'knee']),
  engine: z.enum(ENGINE_NAMES),
  /** Offered request rate in requests/s; null for the closed-loop step. */
  offeredRps: z.number().positive().nullable(),
  /** Completed responses per second over the measured duration. */
  achievedRps: z.number().nonnegative(),
  /** Measured duration in seconds. */
  durationS: z.number().positive(),
  connections: z.number().int().positive(),
  counts: CountsSchema,
  /**
   * Latency of completed requests. When no request completed there is no latency: both are null
   * ("no data"), never zeros that would read as an instant answer.
   */
  latencyUs: z.strictObject({
    /** From actual write to response end; null when no request completed. */
    uncorrected: PercentilesUsSchema.nullable(),
    /** From intended send time to response end, minus generator lateness (wrk2 model); null for closed loop or no data. */
    corrected: PercentilesUsSchema.nullable(),
  }),
  generator: GeneratorSchema,
  /** Target container CPU/memory during the step; null for url: targets (not measurable). */
  resources: ResourceSchema.nullable(),
  /**
   * The PostgreSQL container's CPU/memory during the step (`store: postgres` only; absent for the
   * memory store, null when it could not be sampled).
   */
  database: ResourceSchema.nullable().optional(),
  /** Target CPU in percent of one core (same as resources.cpuPercent), null when not measured. */
  cpuPercent: z.number().nonnegative().nullable(),
  /** True when this step is past the target's capacity. */
  saturated: z.boolean(),
  saturationReasons: z.array(z.string()),
  /** Caveats a reader must see beside the figures (e.g. autocannon's pacing limits). */
  notes: z.array(z.string()),
  histograms: HistogramsSchema,
  /** Other processes' and the hypervisor's use of the step's CPUs; absent in older runs or off Linux. */
  contention: ContentionSchema.optional(),
  /** Per generator node, when the step ran on several load machines; absent for one machine. */
  shares: z.array(GeneratorShareSchema).optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const TargetStatusSchema = z.enum(['completed', 'failed', 'skipped', 'interrupted']);

export const TargetResultSchema = z.strictObject({
  /** Target name from the scenario (e.g. "fastapi"). */
  name: z.string(),
  /** Configuration id from the scenario (e.g. "1-worker"). */
  configuration: z.string(),
  /** CPUs this configuration may use (the same budget for every target). */
  cpus: z.number().positive(),
  /** Where the target read its users (the configuration's `store`); absent in older runs = memory. */
  store: z.enum(['memory', 'postgres']).optional(),
  /** 0-based repetition index. */
  repetition: z.number().int().nonnegative(),
  status: TargetStatusSchema,
  /** Why the target failed or was skipped; null when completed. */
  reason: z.string().nullable(),
  image: z
    .strictObject({
      id: z.string(),
      sizeBytes: z.number().int().nonnegative(),
      /**
       * Base images the build used. `stand-in` = built locally for air-gapped hosts
       * (scripts/build-bases.sh), so the size is not that of an image on the official base.
       */
      bases: z
        .array(
          z.strictObject({
            arg: z.string(),
            official: z.string(),
            used: z.string(),
            source: z.enum(['official', 'stand-in', 'override', 'pull']),
            /** The final stage is built FROM it (a builder-only base does not count towards the size). */
            inFinalImage: z.boolean(),
          }),
        )
        .optional(),
    })
    .nullable(),
  /** Container start → first 200 on /users/1, milliseconds. Null for url: targets. */
  coldStartMs: z.number().nonnegative().nullable(),
  memory: z
    .strictObject({
      /** After start-up, before any load, bytes. */
      idleBytes: z.number().int().nonnegative(),
      /** Highest over all steps, bytes. */
      peakBytes: z.number().int().nonnegative(),
    })
    .nullable(),
  /** Achieved rate of the closed-loop step, requests/s; null if it did not run. */
  maxThroughputRps: z.number().nonnegative().nullable(),
  /** Highest sustainable offered rate found by the knee search, requests/s; null if none. */
  sustainableRps: z.number().nonnegative().nullable(),
  /** True when the sustainable rate is a lower bound because the generator limited the search. */
  sustainableIsLowerBound: z.boolean(),
  /** How the container was limited (reported so readers know the budget). */
  limits: z
    .strictObject({
      cpuset: z.string(),
      memoryBytes: z.number().int().positive(),
      pids: z.number().int().positive(),
      readOnlyRootfs: z.boolean(),
      user: z.string(),
    })
    .nullable(),
  /**
   * Offered rates planned for this run (`rates: auto`: the ladder from its measured maximum merged
   * with the required rates), req/s ascending; absent when the scenario lists its rates.
   */
  plannedRatesRps: z.array(z.number().positive()).optional(),
  steps: z.array(StepSchema),
  /**
   * Steps that looked generator-bound and were measured once more at the same rate: the retry is in
   * `steps` and counts; the first attempt is kept here as evidence and counts nowhere.
   */
  retriedSteps: z.array(StepSchema).optional(),
});
export type TargetResult = z.infer<typeof TargetResultSchema>;

export const EnvironmentSchema = z.strictObject({
  cpuModel: z.string(),
  /** Logical CPUs of the host. */
  cpuCount: z.number().int().positive(),
  memoryBytes: z.number().int().positive(),
  os: z.string(),
  kernel: z.string(),
  arch: z.string(),
  nodeVersion: z.string(),
  dockerVersion: z.string().nullable(),
  gitCommit: z.string().nullable(),
  /** CPU sets used: the targets' and the generator's, disjoint when the machine allows it. */
  cpusets: z.strictObject({ target: CpusetStringSchema.nullable(), generator: CpusetStringSchema.nullable() }),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const SourceLinesSchema = z.strictObject({
  /** Target name → non-blank, non-comment lines of its handler source. */
  handlerLines: z.record(z.string(), z.number().int().nonnegative()),
  /** Target name → why its handler lines were not counted (no counter for its language, no handler); absent in older runs. */
  notCounted: z.record(z.string(), z.string()).optional(),
});

export { CalibrationSchema, CeilingSchema, type Calibration, type Ceiling } from './calibration.ts';

/** The PostgreSQL service of the run (one, shared by every `store: postgres` configuration). */
export const DatabaseInfoSchema = z.strictObject({
  /** Image as run, e.g. "postgres:17" or the stand-in "httpbench-base/postgres:17". */
  image: z.string(),
  imageId: z.string().nullable(),
  /** `official` = the scenario's image; `stand-in` = built by scripts/build-bases.sh from Debian's package. */
  source: z.enum(['official', 'stand-in', 'override']),
  /** What `postgres --version` printed inside the container, e.g. "postgres (PostgreSQL) 17.6". */
  version: z.string().nullable(),
  cpuset: z.string(),
  /** True when the database runs on CPUs the targets also use (on a 2-CPU host it must). */
  sharesTargetCpus: z.boolean(),
  memoryBytes: z.number().int().positive(),
  /** Rows seeded (ids 1..users) and connections per target process (DB_POOL_SIZE). */
  users: z.number().int().positive(),
  poolSize: z.number().int().positive(),
  /** Server settings passed as `-c name=value`, beyond the harness's own (listen address, port). */
  settings: z.record(z.string(), z.string()),
  /** Container start → accepting connections, ms; then the seed command's wall time, ms. */
  startMs: z.number().nonnegative().nullable(),
  seedMs: z.number().nonnegative().nullable(),
  /** The seed command as run, e.g. "httpbench/go-chi:latest -seed". */
  seedCommand: z.string(),
  /** Why the database failed (start, seed, or died during the run); null while it was up. */
  error: z.string().nullable(),
});
export type DatabaseInfo = z.infer<typeof DatabaseInfoSchema>;

/** One machine of a run (two-host runs: the load side and the targets' side; see README "Two machines"). */
export const HostEnvironmentSchema = EnvironmentSchema.pick({
  cpuModel: true,
  /** Logical CPUs of the machine (targets side: the engine's NCPU). */
  cpuCount: true,
  memoryBytes: true,
  os: true,
  kernel: true,
  arch: true,
  dockerVersion: true,
}).extend({
  /** What the machine did: `load` ran the generator, `targets` ran the Docker targets. */
  role: z.enum(['load', 'targets']),
  /** The Docker engine without credentials (e.g. "tcp://198.18.0.2:2375"), null for the load side. */
  engine: z.string().nullable(),
  /** Address the targets bound to and the load went to (targets side), null for the load side. */
  address: z.string().nullable(),
});
export type HostEnvironment = z.infer<typeof HostEnvironmentSchema>;

/**
 * The network's own share of every latency in a two-host run: an idle round trip (a low open-loop
 * rate against the calibration server on the targets' host) before the first target.
 */
export const NetworkFloorSchema = z.strictObject({
  /** The targets' address the round trips went to. */
  host: z.string(),
  /** Offered rate of the round trips, requests/s. */
  rateRps: z.number().positive(),
  /** Seconds measured. */
  durationS: z.number().positive(),
  /** Corrected latency of the idle round trips, µs; null when the measurement failed (see error). */
  floorUs: PercentilesUsSchema.nullable(),
  error: z.string().nullable(),
});
export type NetworkFloor = z.infer<typeof NetworkFloorSchema>;

export const RunStatusSchema = z.enum(['running', 'completed', 'failed', 'interrupted']);

export const RunDocumentSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.strictObject({ name: z.literal('httpbench'), version: z.string() }),
  status: RunStatusSchema,
  /** ISO-8601 timestamps. */
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  scenario: ScenarioSchema,
  /** The scenario file as given, relative to the project root when inside it (for the reproduce command). */
  scenarioFile: z.string().optional(),
  /** The claims registry as loaded, so reports can be re-rendered from run.json alone. */
  claims: z.array(ClaimSchema).nullable(),
  /** Whom the claims quote (title, author, year) — the claims file's `source`; cited, never linked. */
  claimsSource: z.string().optional(),
  environment: EnvironmentSchema,
  source: SourceLinesSchema.nullable(),
  /** The generator's floor per offered rate, measured before the targets; absent in older runs. */
  calibration: CalibrationSchema.nullable().optional(),
  /** The PostgreSQL service, when a configuration used `store: postgres`. */
  database: DatabaseInfoSchema.optional(),

  /** Two-host runs: one entry per machine (load side first); absent for single-machine runs. */
  hosts: z.array(HostEnvironmentSchema).optional(),
  /** Two-host runs: the network floor to the targets' host; absent for single-machine runs. */
  network: NetworkFloorSchema.optional(),
  targets: z.array(TargetResultSchema),
});
export type RunDocument = z.infer<typeof RunDocumentSchema>;


/** The JSON Schema of run.json, generated from the same definitions. */
export function runJsonSchema(): object {
  return z.toJSONSchema(RunDocumentSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}
