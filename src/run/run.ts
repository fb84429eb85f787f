/**
 * The run: plan → build → for each (target, configuration, repetition): start, pre-flight contract,
 * warm-up, closed-loop max step, open-loop rate steps until saturation, knee refinement → run.json.
 *
 * run.json is rewritten atomically after every step, so a crash, a dead target or Ctrl-C never loses
 * a completed measurement. Containers are stopped in `finally`. Collaborators (Docker, engines, the
 * contract check) come in through RunDeps so the orchestration is testable against fake servers.
 */
import type { Claim } from '../schema/claims.ts';
import { classifyStep, findKnee, isSustainable, loadSideLimit } from '../analysis/saturation.ts';
import { latencyOrAbsent, stepLatency } from '../analysis/step-rules.ts';
import { ConfigError, describeError, InterruptedError, TargetError } from '../errors.ts';
import { CEILING_MARGIN, CPU_BUSY_FRACTION, generatorAtCapacity, type CeilingFigure } from '../load/generator-bound.ts';
import type { EngineStep, LoadEngine, StepObserver, StepSpec } from '../load/types.ts';
import { calibrationRates, extensionRate, ladderRates, listedRates, MAX_EXTENSION_STEPS, requiredRates } from '../plan/ladder.ts';
import { planRuns, type PlannedRun } from '../plan/plan.ts';
import { plannedRunS, type ProgressStepKind } from '../progress/format.ts';
import type { ResolvedScenario } from '../scenario/resolve.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import { measureNetworkFloor } from './network-floor.ts';
import { SCHEMA_VERSION, type Calibration, type Ceiling, type DatabaseInfo, type Environment, type HostEnvironment, type RunDocument, type Step, type TargetResult } from '../schema/run.ts';
import { isDockerTarget } from '../targets/kinds.ts';
import { removedFromOutside, type ResourceSampler, type RunningTarget, type StartOptions, type TargetState } from '../targets/types.ts';

export const PATH_TEMPLATE = '/users/{id}';

export interface BuiltImage {
  tag: string;
  id: string;
  sizeBytes: number;
  bases?: NonNullable<TargetResult['image']>['bases'];
}

/** The run's PostgreSQL service, started and seeded (src/targets/postgres.ts behind the CLI). */
export interface RunDatabase {
  /** DATABASE_URL for the targets (holds the password: never logged, never in run.json). */
  url: string;
  info: DatabaseInfo;
  sampleResources(): ResourceSampler | null;
  state(): Promise<TargetState>;
  stop(): Promise<void>;
}

export interface RunDeps {
  /** Builds (or reuses) a Docker target's image. Throws TargetError with the build log tail. */
  buildImage(spec: DockerTargetSpec, signal: AbortSignal): Promise<BuiltImage>;
  /** Starts a target; for Docker targets `image` is the built image. */
  startTarget(opts: StartOptions, image: BuiltImage | null): Promise<RunningTarget>;
  /**
   * Builds and starts the calibration server (bench/server) on the targets' CPUs; its description
   * for run.json. Absent where no calibration server can run (no Docker engine): no floor then.
   */
  startCalibration?(opts: { cpus: number; cpuset: string; runId: string; signal: AbortSignal }): Promise<{ target: RunningTarget; server: string }>;
  /**
   * Starts the database on `cpuset` and seeds it with `users` rows using `seedImage` (a built target
   * image). Throws InfrastructureError when it cannot (exit 3). Absent without Docker.
   */
  startDatabase?(opts: { seedImage: BuiltImage; users: number; cpuset: string; runId: string; signal: AbortSignal }): Promise<RunDatabase>;
  /** `maxId`: the target's USERS when the plan set it (postgres store), else the contract's default. */
  verifyContract(baseUrl: string, connectHost?: string, maxId?: number): Promise<{ ok: boolean; failures: string[] }>;
  engine(name: Step['engine']): LoadEngine;
  /** Persists the document (validate + atomic write). Called after every step. */
  save(doc: RunDocument): Promise<void>;
  /** Progress for people; never parsed. */
  log(line: string): void;
  now(): Date;
  /** Live progress for people (optional); its observer goes to the engine for each step. */
  progress?: RunProgress;
}

/** Events for a live progress display (src/cli/progress-display.ts). */
export interface RunProgress {
  /** Once: target runs that will measure, and an upper bound of each one's measuring time (s). */
  planned(runs: number, perRunS: number): void;
  /** A (target, configuration, repetition) starts. */
  runStarted(label: string): void;
  /** A load step starts; the returned observer is handed to the engine. */
  stepStarted(step: { label: string; kind: ProgressStepKind; rateRps: number | null; durationS: number }): StepObserver;
  stepEnded(): void;
}

export interface RunInput {
  /** CPUs and workers already numbers (src/scenario/resolve.ts); stored as run.json's scenario. */
  scenario: ResolvedScenario;
  /** Where the scenario came from, for the reproduce command. */
  scenarioFile?: string;
  claims: Claim[] | null;
  /** The claims file's `source` (title, author, year), cited in the reports. */
  claimsSource?: string;
  environment: Environment;
  toolVersion: string;
  runId: string;
  /** Where the targets and the generator run (the CPU budget is scenario.resources.cpus). */
  targetCpuset: string;
  generatorCpuset: string | null;
  only?: readonly string[];
  /** Handler line counts, computed by the caller (I/O). */
  source: RunDocument['source'];
  signal: AbortSignal;
  /** Two-host runs: both machines (load first) and the targets' address, for the network floor. */
  hosts?: HostEnvironment[];
  targetAddress?: string;
}

function emptyTarget(run: PlannedRun, cpus: number, status: TargetResult['status'], reason: string | null, withStore: boolean): TargetResult {
  return {
    name: run.spec.name,
    configuration: run.configuration.id,
    cpus,
    // Recorded once the scenario mixes stores, so older single-store runs read as before.
    ...(withStore ? { store: run.store } : {}),
    repetition: run.repetition,
    status,
    reason,
    image: null,
    coldStartMs: null,
    memory: null,
    maxThroughputRps: null,
    sustainableRps: null,
    sustainableIsLowerBound: false,
    limits: null,
    steps: [],
  };
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}

export async function runBenchmark(input: RunInput, deps: RunDeps): Promise<RunDocument> {
  const { scenario, signal } = input;
  const doc: RunDocument = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'httpbench', version: input.toolVersion },
    status: 'running',
    startedAt: deps.now().toISOString(),
    finishedAt: null,
    scenario,
    ...(input.scenarioFile ? { scenarioFile: input.scenarioFile } : {}),
    claims: input.claims,
    ...(input.claimsSource ? { claimsSource: input.claimsSource } : {}),
    environment: input.environment,
    source: input.source,
    ...(input.hosts ? { hosts: input.hosts } : {}),
    targets: [],
  };
  await deps.save(doc);

  const plan = planRuns(scenario, input.only);
  const required = requiredRates(scenario, input.claims);
  deps.progress?.planned(plan.filter((r) => !r.skipReason).length, plannedRunS(scenario, required));
  const images = new Map<string, BuiltImage | Error>();
  const withStore = plan.some((r) => r.store !== 'memory');
  const imageFor = async (spec: DockerTargetSpec): Promise<BuiltImage | Error> => {
    let built = images.get(spec.name);
    if (!built) {
      deps.log(`[${spec.name}] building image from ${spec.dockerfile}`);
      try {
        built = await deps.buildImage(spec, signal);
      } catch (error) {
        throwIfAborted(signal);
        // Bad input (an unreadable --ca-cert, say) is the user's to fix: exit 2, not a target failure.
        if (error instanceof ConfigError) throw error;
        built = error instanceof Error ? error : new Error(String(error));
      }
      images.set(spec.name, built);
    }
    return built;
  };
  // Started at the first postgres configuration, kept for the rest of the run, stopped in finally.
  let database: RunDatabase | null = null;
  // The entry being measured, so an interrupt or a fatal error is recorded on the right one.
  let inProgress: TargetResult | null = null;
  try {
    if (input.targetAddress && plan.some((r) => !r.skipReason)) {
      doc.network = await measureNetworkFloor(input, deps, input.targetAddress);
      await deps.save(doc);
    }
    if (scenario.load.calibration.enabled && scenario.load.steps.engine === 'openloop' && deps.startCalibration && plan.some((r) => !r.skipReason)) {
      doc.calibration = await calibrate(input, deps, required);
      await deps.save(doc);
    }
    for (const run of plan) {
      throwIfAborted(signal);
      const label = `${run.spec.name}/${run.configuration.id}#${run.repetition + 1}`;
      if (run.skipReason) {
        deps.log(`[${label}] skipped: ${run.skipReason}`);
        doc.targets.push(emptyTarget(run, input.scenario.resources.cpus, 'skipped', run.skipReason, withStore));
        await deps.save(doc);
        continue;
      }
      let image: BuiltImage | null = null;
      if (isDockerTarget(run.spec)) {
        const built = await imageFor(run.spec);
        if (built instanceof Error) {
          const entry = emptyTarget(run, input.scenario.resources.cpus, 'failed', `image build failed: ${describeError(built)}`, withStore);
          doc.targets.push(entry);
          await deps.save(doc);
          continue;
        }
        image = built;
      }
      const entry = emptyTarget(run, input.scenario.resources.cpus, 'completed', null, withStore);
      entry.image = image ? { id: image.id, sizeBytes: image.sizeBytes, bases: image.bases } : null;
      if (run.store === 'postgres') {
        database ??= await startDatabase(input, deps, imageFor, doc);
        const state = await database.state();
        if (!state.running) {
          entry.status = 'failed';
          entry.reason = `the database is not running (${database.info.error ?? `exit code ${state.exitCode ?? 'unknown'}`}); this configuration was not measured`;
          deps.log(`[${label}] ${entry.reason}`);
          doc.targets.push(entry);
          await deps.save(doc);
          continue;
        }
      }
      doc.targets.push(entry);
      inProgress = entry;
      const ceiling = ceilingFigure(doc.calibration?.ceiling);
      await measureTarget(run, entry, image, input, deps, label, () => deps.save(doc), { database: run.store === 'postgres' ? database : null, ceiling, required });
      inProgress = null;
      await deps.save(doc);
    }
    doc.status = doc.targets.some((t) => t.status === 'failed') ? 'failed' : 'completed';
  } catch (error) {
    const interrupted = error instanceof InterruptedError;
    doc.status = interrupted ? 'interrupted' : 'failed';
    if (inProgress) {
      inProgress.status = interrupted ? 'interrupted' : 'failed';
      inProgress.reason = interrupted ? 'run interrupted during this target; completed steps are kept' : describeError(error);
    }
    throw error;
  } finally {
    doc.finishedAt = deps.now().toISOString();
    try {
      await database?.stop();
    } finally {
      await deps.save(doc);
    }
  }
  return doc;
}

/** Starts and seeds the run's database, building the seed target's image if needed; records it. */
async function startDatabase(
  input: RunInput,
  deps: RunDeps,
  imageFor: (spec: DockerTargetSpec) => Promise<BuiltImage | Error>,
  doc: RunDocument,
): Promise<RunDatabase> {
  const { scenario } = input;
  if (!deps.startDatabase) {
    throw new ConfigError('store: postgres needs a Docker engine for the database', { hint: 'use store: memory, or run where Docker is available' });
  }
  const seedSpec = scenario.targets.find((t) => t.name === scenario.database.seed.target);
  if (!seedSpec || !isDockerTarget(seedSpec)) {
    throw new ConfigError(`database.seed.target '${scenario.database.seed.target}' is not a Docker target of the scenario`, {
      hint: 'name the target whose image seeds the table (go-chi or fastapi)',
    });
  }
  const seedImage = await imageFor(seedSpec);
  if (seedImage instanceof Error) {
    throw new TargetError(`the database cannot be seeded: building ${seedSpec.name} failed: ${describeError(seedImage)}`, {
      hint: 'fix the build (its log is above), or set database.seed.target to another target',
    });
  }
  const cpuset = scenario.database.cpuset ?? input.targetCpuset;
  deps.log(`[database] starting PostgreSQL on cpuset ${cpuset} (${scenario.database.memoryMiB} MiB), seeding ${scenario.load.ids.max} users`);
  const database = await deps.startDatabase({ seedImage, users: scenario.load.ids.max, cpuset, runId: input.runId, signal: input.signal });
  doc.database = database.info;
  deps.log(
    `[database] ${database.info.image} ready after ${database.info.startMs?.toFixed(0) ?? '?'} ms, seeded in ${database.info.seedMs?.toFixed(0) ?? '?'} ms` +
      (database.info.sharesTargetCpus ? ` (shares the targets' CPUs ${cpuset})` : ''),
  );
  await deps.save(doc);
  return database;
}

/**
 * Measures one (target, configuration, repetition); fills `entry`. A failure of the target is
 * recorded on the entry; only an interrupt, bad input (ConfigError) or a failed cleanup throws.
 */
async function measureTarget(
  run: PlannedRun,
  entry: TargetResult,
  image: BuiltImage | null,
  input: RunInput,
  deps: RunDeps,
  label: string,
  save: () => Promise<void>,
  context: { database: RunDatabase | null; ceiling: CeilingFigure | null; required: readonly number[] },
): Promise<void> {
  const { scenario, signal } = input;
  const { database, ceiling, required } = context;
  let target: RunningTarget | null = null;
  // One engine call with the live-progress observer around it.
  const runStep = async (kind: ProgressStepKind, engineName: Step['engine'], spec: StepSpec): Promise<EngineStep> => {
    const observer = deps.progress?.stepStarted({ label, kind, rateRps: spec.rateRps, durationS: spec.durationS });
    try {
      return await deps.engine(engineName).runStep(spec, signal, observer);
    } finally {
      deps.progress?.stepEnded();
    }
  };
  try {
    deps.progress?.runStarted(label);
    deps.log(`[${label}] starting (${input.scenario.resources.cpus} CPU on cpuset ${input.targetCpuset}, ${scenario.resources.memoryMiB} MiB)`);
    target = await deps.startTarget(
      {
        spec: run.spec,
        configuration: { ...run.configuration, env: database ? { ...run.env, DATABASE_URL: database.url } : run.env },
        cpus: input.scenario.resources.cpus,
        cpuset: input.targetCpuset,
        memoryMiB: scenario.resources.memoryMiB,
        pids: scenario.resources.pids,
        startupTimeoutS: scenario.startupTimeoutS,
        runId: input.runId,
        signal,
      },
      image,
    );
    entry.coldStartMs = target.coldStartMs;
    entry.limits = target.limits;
    if (target.idleMemoryBytes !== null) entry.memory = { idleBytes: target.idleMemoryBytes, peakBytes: target.idleMemoryBytes };
    if (target.coldStartMs !== null) deps.log(`[${label}] first 200 after ${target.coldStartMs.toFixed(0)} ms`);

    const contract = await deps.verifyContract(target.baseUrl, target.connectHost, run.env.USERS !== undefined ? Number(run.env.USERS) : undefined);
    if (!contract.ok) {
      entry.status = 'failed';
      entry.reason = `pre-flight contract failed: ${contract.failures.join('; ')}`;
      deps.log(`[${label}] ${entry.reason}`);
      return;
    }

    const base: Omit<StepSpec, 'rateRps' | 'durationS' | 'connections'> = {
      ...stepBase(input),
      ceiling,
      baseUrl: target.baseUrl,
      ...(target.connectHost !== undefined ? { connectHost: target.connectHost } : {}),
    };
    if (scenario.load.warmupS > 0) {
      deps.log(`[${label}] warm-up ${scenario.load.warmupS} s (discarded)`);
      await runStep('warmup', scenario.load.max.engine, { ...base, rateRps: null, durationS: scenario.load.warmupS, connections: scenario.load.max.connections });
      throwIfAborted(signal);
    }

    const measure = async (kind: Step['kind'], engineName: Step['engine'], spec: StepSpec): Promise<Step> => {
      // A signal that came during the previous save or liveness check must not let a whole step run.
      throwIfAborted(signal);
      const sampler = target!.sampleResources();
      const dbSampler = database?.sampleResources() ?? null;
      let measured: EngineStep;
      try {
        measured = await runStep(kind, engineName, spec);
      } catch (error) {
        await sampler?.stop();
        await dbSampler?.stop().catch(() => null);
        throw error;
      }
      const resources = sampler ? await sampler.stop() : null;
      // The database's figures are context, not a target failure: a sampling error leaves them null.
      const databaseResources = dbSampler ? await dbSampler.stop().catch(() => null) : null;
      throwIfAborted(signal);
      const stored = { ...measured, latencyUs: latencyOrAbsent(measured.latencyUs) };
      const { saturated, reasons } = classifyStep(stored, scenario.slo);
      const step: Step = {
        ...stored,
        kind,
        resources,
        ...(database ? { database: databaseResources } : {}),
        cpuPercent: resources?.cpuPercent ?? null,
        saturated,
        saturationReasons: reasons,
      };
      // A database on the targets' CPUs spends the same budget: the CPU left to spare is what neither used.
      const cpuUsed = step.cpuPercent === null ? null : step.cpuPercent + (database?.info.sharesTargetCpus ? (databaseResources?.cpuPercent ?? 0) : 0);
      const loadLimit = loadSideLimit(stored, cpuUsed, input.scenario.resources.cpus);
      if (loadLimit) markLoadBound(step, loadLimit);
      entry.steps.push(step);
      if (resources && entry.memory) entry.memory.peakBytes = Math.max(entry.memory.peakBytes, resources.memoryPeakBytes);
      const lat = stepLatency(step)?.us;
      deps.log(
        `[${label}] ${kind} ${spec.rateRps === null ? 'closed loop' : `${spec.rateRps} rps`}: achieved ${step.achievedRps.toFixed(0)} rps, ` +
          (lat ? `p50 ${(lat.p50 / 1000).toFixed(2)} ms, p99 ${(lat.p99 / 1000).toFixed(2)} ms` : 'latency: no data (no request completed)') +
          (step.generator.bound ? ' [generator-bound]' : '') +
          (saturated ? ` [saturated: ${reasons.join('; ')}]` : ''),
      );
      if (database) await assertDatabaseAlive(database, step, label, save);
      await assertAlive(target!, label);
      await save();
      return step;
    };

    const max = await measure('max', scenario.load.max.engine, {
      ...base,
      rateRps: null,
      durationS: scenario.load.max.durationS,
      connections: scenario.load.max.connections,
    });
    entry.maxThroughputRps = max.achievedRps;

    const stepEngine = scenario.load.steps.engine;
    const listed = listedRates(scenario);
    const rates = [...(listed ?? ladderRates(max.achievedRps, required))];
    if (listed === null) {
      entry.plannedRatesRps = rates;
      deps.log(`[${label}] rates from the measured maximum (load.steps.rates: auto): ${rates.join(', ')} req/s`);
      await save();
    }
    let extensions = 0;
    for (let i = 0; i < rates.length; i++) {
      const rate = rates[i]!;
      const spec = { ...base, rateRps: rate, durationS: scenario.load.steps.durationS, connections: scenario.load.connections };
      let step = await measure('rate', stepEngine, spec);
      if (step.generator.bound && !step.saturated) {
        // One look is not enough to end a sweep: a pause of the shared VM can make one step look
        // generator-bound. Measure once more; the first attempt is kept as evidence (retriedSteps).
        deps.log(`[${label}] ${rate} rps looked generator-bound (${step.generator.boundReasons.join('; ')}); measuring it once more`);
        entry.steps.splice(entry.steps.indexOf(step), 1);
        (entry.retriedSteps ??= []).push(step);
        step = await measure('rate', stepEngine, spec);
      }
      if (step.saturated && scenario.load.steps.stopAtSaturation) break;
      if (step.generator.bound) {
        if (generatorAtCapacity(step)) {
          deps.log(`[${label}] generator-bound at ${rate} rps (twice, out of capacity): higher rates would measure the generator, not the target`);
          break;
        }
        deps.log(`[${label}] ${rate} rps stays marked generator-bound (pacing, not capacity: the generator kept the rate with CPU to spare); the sweep goes on`);
      }
      // rates: auto has no fixed top: a top step the target still sustained goes on up (bounded).
      if (listed === null && i === rates.length - 1 && extensions < MAX_EXTENSION_STEPS && isSustainable(step, scenario.slo)) {
        rates.push(extensionRate(rate));
        extensions++;
        deps.log(`[${label}] ${rate} rps was sustained at the top of the ladder; going on at ${rates.at(-1)} rps`);
      }
    }
    // A closed-loop "maximum" below what an open-loop step achieved was not the target's maximum.
    const best = Math.max(...entry.steps.filter((s) => s.kind !== 'max').map((s) => s.achievedRps));
    if (best > max.achievedRps) markLoadBound(max, `an open-loop step achieved ${best.toFixed(0)} req/s, more than this closed-loop step`);
    for (let left = scenario.load.knee.refineSteps; ; left--) {
      const knee = findKnee(entry.steps, scenario.slo, left);
      entry.sustainableRps = knee.sustainableRps;
      entry.sustainableIsLowerBound = knee.lowerBound;
      if (knee.nextRateRps === null) break;
      await measure('knee', stepEngine, {
        ...base,
        rateRps: knee.nextRateRps,
        durationS: scenario.load.steps.durationS,
        connections: scenario.load.connections,
      });
    }
  } catch (error) {
    if (error instanceof InterruptedError || error instanceof ConfigError) throw error;
    entry.status = 'failed';
    entry.reason = describeError(error);
    deps.log(`[${label}] failed: ${entry.reason}`);
  } finally {
    if (target) await target.stop();
  }
}

/** What every open-loop step of the run shares, whatever it is aimed at. */
function stepBase(input: RunInput): Omit<StepSpec, 'rateRps' | 'durationS' | 'connections' | 'baseUrl'> {
  const load = input.scenario.load;
  return {
    pathTemplate: PATH_TEMPLATE,
    ids: load.ids,
    workers: load.workers,
    timeoutMs: load.timeoutMs,
    generatorCpuset: input.generatorCpuset,
    pacing: load.pacing,
  };
}

/**
 * The instrument's floor and ceiling, against the calibration server on the targets' CPUs (the smallest
 * Go HTTP server). First the ceiling: the max step's engine, threads and connections in closed loop, so
 * a target figure near it is known to be the load side's. Then the floor: the open-loop engine at every
 * rate of the scenario with the targets' schedule (connections, workers, pacing); with `rates: auto`, a
 * series up to the ceiling (plan/ladder.ts calibrationRates). A failure here never fails the run: the
 * floor or ceiling is then unknown, and run.json says why.
 */
async function calibrate(input: RunInput, deps: RunDeps, required: readonly number[]): Promise<Calibration> {
  const { scenario, signal } = input;
  const base = stepBase(input);
  const calibration: Calibration = {
    server: 'calibration server',
    cpuset: input.targetCpuset,
    connections: scenario.load.connections,
    workers: base.workers,
    pacing: scenario.load.pacing,
    durationS: scenario.load.calibration.durationS,
    steps: [],
    error: null,
  };
  let started: { target: RunningTarget; server: string } | null = null;
  try {
    deps.log(`[calibration] starting the calibration server on cpuset ${input.targetCpuset}`);
    started = await deps.startCalibration!({ cpus: input.scenario.resources.cpus, cpuset: input.targetCpuset, runId: input.runId, signal });
    calibration.server = started.server;
    if (scenario.load.calibration.ceilingDurationS > 0) {
      calibration.ceiling = await measureCeiling(input, deps, started.target);
      const c = calibration.ceiling;
      deps.log(
        `[calibration] load-side ceiling ${Math.round(c.achievedRps)} req/s (${c.engine}, ${c.workers} thread${c.workers === 1 ? '' : 's'}, ${c.connections} connections, closed loop; ` +
          `limited by ${c.limitedBy}: generator work CPU ${Math.round(c.generatorWorkCpuPercent)} %, server CPU ${c.serverCpuPercent === null ? 'unknown' : `${Math.round(c.serverCpuPercent)} %`})`,
      );
    }
    const rates = listedRates(scenario) ?? calibrationRates(calibration.ceiling?.achievedRps ?? null, required);
    for (const rate of rates) {
      throwIfAborted(signal);
      const step = await deps.engine('openloop').runStep(
        { ...base, baseUrl: started.target.baseUrl, rateRps: rate, durationS: calibration.durationS, connections: scenario.load.connections },
        signal,
      );
      throwIfAborted(signal);
      const latencyUs = step.latencyUs.corrected ?? step.latencyUs.uncorrected;
      calibration.steps.push({ offeredRps: rate, achievedRps: step.achievedRps, latencyUs, generatorBound: step.generator.bound });
      deps.log(
        `[calibration] ${rate} rps: floor p50 ${(latencyUs.p50 / 1000).toFixed(3)} ms, p99 ${(latencyUs.p99 / 1000).toFixed(3)} ms` +
          (step.generator.bound ? ` [generator-bound: ${step.generator.boundReasons.join('; ')}]` : ''),
      );
    }
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    calibration.error = describeError(error);
    deps.log(`[calibration] failed, latency figures will have no floor: ${calibration.error}`);
  } finally {
    await started?.target.stop();
  }
  return calibration;
}

/**
 * The load side's throughput ceiling: the max step (same engine, threads, connections) against the
 * calibration server. What limited it is read from both sides' CPU: the generator's work CPU (busy
 * polling excluded) and the server container's.
 */
async function measureCeiling(input: RunInput, deps: RunDeps, server: RunningTarget): Promise<Ceiling> {
  const { scenario, signal } = input;
  const spec: StepSpec = {
    ...stepBase(input),
    baseUrl: server.baseUrl,
    ...(server.connectHost !== undefined ? { connectHost: server.connectHost } : {}),
    rateRps: null,
    durationS: scenario.load.calibration.ceilingDurationS,
    connections: scenario.load.max.connections,
  };
  const engine = deps.engine(scenario.load.max.engine);
  // A short warm-up, as the targets get: the first second of a fresh server is not its steady state.
  await engine.runStep({ ...spec, durationS: Math.min(1, spec.durationS) }, signal);
  throwIfAborted(signal);
  const sampler = server.sampleResources();
  let resources: Awaited<ReturnType<ResourceSampler['stop']>> | null = null;
  let step: EngineStep;
  try {
    step = await engine.runStep(spec, signal);
  } finally {
    // The server's CPU only says what limited the ceiling: a sampling error leaves it unknown.
    resources = sampler ? await sampler.stop().catch(() => null) : null;
  }
  const work = step.generator.workCpuPercent ?? step.generator.cpuPercent;
  const threads = step.generator.workers;
  const serverCpu = resources?.cpuPercent ?? null;
  const limitedBy: Ceiling['limitedBy'] =
    work >= CPU_BUSY_FRACTION * 100 * threads ? 'generator' : serverCpu !== null && serverCpu >= CPU_BUSY_FRACTION * 100 * scenario.resources.cpus ? 'calibration server' : 'unknown';
  return {
    achievedRps: step.achievedRps,
    engine: scenario.load.max.engine,
    connections: spec.connections,
    workers: threads,
    durationS: spec.durationS,
    limitedBy,
    generatorWorkCpuPercent: Math.round(work * 10) / 10,
    serverCpuPercent: serverCpu === null ? null : Math.round(serverCpu * 10) / 10,
    marginFraction: CEILING_MARGIN,
  };
}

/** The ceiling as the generator-bound rules read it; null when not measured. */
function ceilingFigure(ceiling: Ceiling | null | undefined): CeilingFigure | null {
  return ceiling ? { rps: ceiling.achievedRps, limitedBy: ceiling.limitedBy, marginFraction: ceiling.marginFraction } : null;
}

/** The load side limited the step: its figures are lower bounds (reported as "≥", never hidden). */
function markLoadBound(step: Step, reason: string): void {
  step.generator.bound = true;
  step.generator.boundReasons.push(reason);
}

/**
 * A database that died during a step fails the configuration: the step is kept (its failures are
 * counted) and marked, and the error names the database, not the target.
 */
async function assertDatabaseAlive(database: RunDatabase, step: Step, label: string, save: () => Promise<void>): Promise<void> {
  const state = await database.state();
  if (state.running) return;
  const cause = state.oomKilled ? 'was OOM-killed' : `exited (code ${state.exitCode ?? 'unknown'})`;
  database.info.error = `the database ${cause} during a step of ${label}`;
  step.notes.push(`the database ${cause} during this step: its failures are the database's, not the target's`);
  await save();
  throw new TargetError(`${label}: ${database.info.error}`, {
    hint: state.oomKilled ? 'raise database.memoryMiB in the scenario' : 'the database container was stopped from outside the run; re-run',
  });
}

/** A target that died during a step fails with the engine's cause (exit code, OOM kill). */
async function assertAlive(target: RunningTarget, label: string): Promise<void> {
  const state = await target.state();
  if (state.running) return;
  if (state.removed) throw removedFromOutside(label, 'the step');
  const cause = state.oomKilled
    ? 'killed by the kernel for exceeding its memory limit (OOMKilled)'
    : `exited with code ${state.exitCode ?? 'unknown'}`;
  const logs = await target.logsTail(20).catch(() => '');
  throw new TargetError(`${label}: target ${cause} during the step${logs ? `; last log lines:\n${logs}` : ''}`, {
    hint: state.oomKilled ? 'raise resources.memoryMiB in the scenario' : 'see the target logs above',
  });
}

