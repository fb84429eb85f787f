/**
 * The run: plan → build → for each (target, configuration, repetition): start, pre-flight contract,
 * warm-up, closed-loop max step, open-loop rate steps until saturation, knee refinement → run.json.
 *
 * run.json is rewritten atomically after every step, so a crash, a dead target or Ctrl-C never loses
 * a completed measurement. Containers are stopped in `finally`. Collaborators (Docker, engines, the
 * contract check) come in through RunDeps so the orchestration is testable against fake servers.
 */
import type { Claim } from '../analysis/claims-schema.ts';
import { classifyStep, findKnee, loadSideLimit } from '../analysis/saturation.ts';
import { ConfigError, describeError, InterruptedError, TargetError } from '../errors.ts';
import type { EngineStep, LoadEngine, StepSpec } from '../load/types.ts';
import { planRuns, type PlannedRun } from '../plan/plan.ts';
import type { DockerTargetSpec, Scenario } from '../scenario/schema.ts';
import { measureNetworkFloor } from './network-floor.ts';
import { SCHEMA_VERSION, type Calibration, type Environment, type HostEnvironment, type RunDocument, type Step, type TargetResult } from '../schema/run.ts';
import type { RunningTarget, StartOptions } from '../targets/types.ts';

export const PATH_TEMPLATE = '/users/{id}';

export interface BuiltImage {
  tag: string;
  id: string;
  sizeBytes: number;
  bases?: NonNullable<TargetResult['image']>['bases'];
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
  verifyContract(baseUrl: string, connectHost?: string): Promise<{ ok: boolean; failures: string[] }>;
  engine(name: Step['engine']): LoadEngine;
  /** Persists the document (validate + atomic write). Called after every step. */
  save(doc: RunDocument): Promise<void>;
  /** Progress for people; never parsed. */
  log(line: string): void;
  now(): Date;
}

export interface RunInput {
  scenario: Scenario;
  /** Where the scenario came from, for the reproduce command. */
  scenarioFile?: string;
  claims: Claim[] | null;
  environment: Environment;
  toolVersion: string;
  runId: string;
  /** Resolved per-target CPU budget and cpusets. */
  cpus: number;
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

function emptyTarget(run: PlannedRun, cpus: number, status: TargetResult['status'], reason: string | null): TargetResult {
  return {
    name: run.spec.name,
    configuration: run.configuration.id,
    cpus,
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
    environment: input.environment,
    source: input.source,
    ...(input.hosts ? { hosts: input.hosts } : {}),
    targets: [],
  };
  await deps.save(doc);

  const plan = planRuns(scenario, input.cpus, input.only);
  const images = new Map<string, BuiltImage | Error>();
  // The entry being measured, so an interrupt or a fatal error is recorded on the right one.
  let inProgress: TargetResult | null = null;
  try {
    if (input.targetAddress && plan.some((r) => !r.skipReason)) {
      doc.network = await measureNetworkFloor(input, deps, input.targetAddress);
      await deps.save(doc);
    }
    if (scenario.load.calibration.enabled && scenario.load.steps.engine === 'openloop' && deps.startCalibration && plan.some((r) => !r.skipReason)) {
      doc.calibration = await calibrate(input, deps);
      await deps.save(doc);
    }
    for (const run of plan) {
      throwIfAborted(signal);
      const label = `${run.spec.name}/${run.configuration.id}#${run.repetition + 1}`;
      if (run.skipReason) {
        deps.log(`[${label}] skipped: ${run.skipReason}`);
        doc.targets.push(emptyTarget(run, input.cpus, 'skipped', run.skipReason));
        await deps.save(doc);
        continue;
      }
      let image: BuiltImage | null = null;
      if ('context' in run.spec) {
        let built = images.get(run.spec.name);
        if (!built) {
          deps.log(`[${run.spec.name}] building image from ${run.spec.dockerfile}`);
          try {
            built = await deps.buildImage(run.spec, signal);
          } catch (error) {
            throwIfAborted(signal);
            // Bad input (an unreadable --ca-cert, say) is the user's to fix: exit 2, not a target failure.
            if (error instanceof ConfigError) throw error;
            built = error instanceof Error ? error : new Error(String(error));
          }
          images.set(run.spec.name, built);
        }
        if (built instanceof Error) {
          const entry = emptyTarget(run, input.cpus, 'failed', `image build failed: ${describeError(built)}`);
          doc.targets.push(entry);
          await deps.save(doc);
          continue;
        }
        image = built;
      }
      const entry = emptyTarget(run, input.cpus, 'completed', null);
      entry.image = image ? { id: image.id, sizeBytes: image.sizeBytes, bases: image.bases } : null;
      doc.targets.push(entry);
      inProgress = entry;
      await measureTarget(run, entry, image, input, deps, label, () => deps.save(doc));
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
    await deps.save(doc);
  }
  return doc;
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
): Promise<void> {
  const { scenario, signal } = input;
  let target: RunningTarget | null = null;
  try {
    deps.log(`[${label}] starting (${input.cpus} CPU on cpuset ${input.targetCpuset}, ${scenario.resources.memoryMiB} MiB)`);
    target = await deps.startTarget(
      {
        spec: run.spec,
        configuration: { ...run.configuration, env: run.env },
        cpus: input.cpus,
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

    const contract = await deps.verifyContract(target.baseUrl, target.connectHost);
    if (!contract.ok) {
      entry.status = 'failed';
      entry.reason = `pre-flight contract failed: ${contract.failures.join('; ')}`;
      deps.log(`[${label}] ${entry.reason}`);
      return;
    }

    const base: Omit<StepSpec, 'rateRps' | 'durationS' | 'connections'> = {
      ...stepBase(input),
      baseUrl: target.baseUrl,
      ...(target.connectHost !== undefined ? { connectHost: target.connectHost } : {}),
    };
    if (scenario.load.warmupS > 0) {
      deps.log(`[${label}] warm-up ${scenario.load.warmupS} s (discarded)`);
      await deps.engine('autocannon').runStep(
        { ...base, rateRps: null, durationS: scenario.load.warmupS, connections: scenario.load.connections },
        signal,
      );
      throwIfAborted(signal);
    }

    const measure = async (kind: Step['kind'], engineName: Step['engine'], spec: StepSpec): Promise<Step> => {
      // A signal that came during the previous save or liveness check must not let a whole step run.
      throwIfAborted(signal);
      const sampler = target!.sampleResources();
      let measured: EngineStep;
      try {
        measured = await deps.engine(engineName).runStep(spec, signal);
      } catch (error) {
        await sampler?.stop();
        throw error;
      }
      const resources = sampler ? await sampler.stop() : null;
      throwIfAborted(signal);
      const { saturated, reasons } = classifyStep(measured, scenario.slo);
      const step: Step = { ...measured, kind, resources, cpuPercent: resources?.cpuPercent ?? null, saturated, saturationReasons: reasons };
      const loadLimit = loadSideLimit(measured, step.cpuPercent, input.cpus);
      if (loadLimit) markLoadBound(step, loadLimit);
      entry.steps.push(step);
      if (resources && entry.memory) entry.memory.peakBytes = Math.max(entry.memory.peakBytes, resources.memoryPeakBytes);
      const lat = step.latencyUs.corrected ?? step.latencyUs.uncorrected;
      deps.log(
        `[${label}] ${kind} ${spec.rateRps === null ? 'closed loop' : `${spec.rateRps} rps`}: achieved ${step.achievedRps.toFixed(0)} rps, ` +
          `p50 ${(lat.p50 / 1000).toFixed(2)} ms, p99 ${(lat.p99 / 1000).toFixed(2)} ms` +
          (step.generator.bound ? ' [generator-bound]' : '') +
          (saturated ? ` [saturated: ${reasons.join('; ')}]` : ''),
      );
      await assertAlive(target!, label);
      await save();
      return step;
    };

    const max = await measure('max', 'autocannon', {
      ...base,
      rateRps: null,
      durationS: scenario.load.max.durationS,
      connections: scenario.load.max.connections,
    });
    entry.maxThroughputRps = max.achievedRps;

    const stepEngine = scenario.load.steps.engine;
    for (const rate of scenario.load.steps.rates) {
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
        deps.log(`[${label}] generator-bound at ${rate} rps (twice): higher rates would measure the generator, not the target`);
        break;
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
    // Resolved by the caller ("auto" → the generator's CPUs); 1 if it was not.
    workers: typeof load.workers === 'number' ? load.workers : 1,
    timeoutMs: load.timeoutMs,
    generatorCpuset: input.generatorCpuset,
    pacing: load.pacing,
  };
}

/**
 * The instrument's floor: the calibration server on the targets' CPUs, driven with the targets'
 * schedule (connections, workers, pacing) at every rate of the scenario. A failure here never fails
 * the run: the floor is then unknown, and run.json says why.
 */
async function calibrate(input: RunInput, deps: RunDeps): Promise<Calibration> {
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
    started = await deps.startCalibration!({ cpus: input.cpus, cpuset: input.targetCpuset, runId: input.runId, signal });
    calibration.server = started.server;
    for (const rate of scenario.load.steps.rates) {
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

/** The load side limited the step: its figures are lower bounds (reported as "≥", never hidden). */
function markLoadBound(step: Step, reason: string): void {
  step.generator.bound = true;
  step.generator.boundReasons.push(reason);
}

/** A target that died during a step fails with the engine's cause (exit code, OOM kill). */
async function assertAlive(target: RunningTarget, label: string): Promise<void> {
  const state = await target.state();
  if (state.running) return;
  const cause = state.oomKilled
    ? 'killed by the kernel for exceeding its memory limit (OOMKilled)'
    : `exited with code ${state.exitCode ?? 'unknown'}`;
  const logs = await target.logsTail(20).catch(() => '');
  throw new TargetError(`${label}: target ${cause} during the step${logs ? `; last log lines:\n${logs}` : ''}`, {
    hint: state.oomKilled ? 'raise resources.memoryMiB in the scenario' : 'see the target logs above',
  });
}

