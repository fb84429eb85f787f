/**
 * The step policy of one (target, configuration, repetition) — k6 would call it an executor: start,
 * pre-flight contract, warm-up, closed-loop max step, open-loop rate steps until saturation (the
 * scenario's rates or the auto ladder from the measured maximum), knee refinement — and how long it
 * plans to take (plannedRunS), which the live progress reads. A failure of the target is recorded on its
 * entry; only an interrupt, bad input or a failed cleanup throws.
 */
import { classifyStep, findKnee, isSustainable, loadSideLimit } from '../analysis/saturation.ts';
import { latencyOrAbsent, stepLatency } from '../analysis/step-rules.ts';
import { ConfigError, describeError, InterruptedError, TargetError } from '../errors.ts';
import { generatorAtCapacity, type CeilingFigure } from '../load/generator-bound.ts';
import type { EngineStep, StepSpec } from '../load/types.ts';
import { extensionRate, ladderRates, LADDER_FRACTIONS, listedRates, MAX_EXTENSION_STEPS } from '../plan/ladder.ts';
import type { PlannedRun } from '../plan/plan.ts';
import type { ProgressStepKind } from '../progress/format.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Step, TargetResult } from '../schema/run.ts';
import { removedFromOutside, type RunningTarget } from '../targets/types.ts';
import { stepContention } from '../analysis/contention.ts';
import { stepBase, throwIfAborted, type BuiltImage, type RunDatabase, type RunDeps, type RunInput } from './deps.ts';
import { formatMsFromUs, formatWholeMs } from '../util/format.ts';


/**
 * Measures one (target, configuration, repetition); fills `entry`. A failure of the target is
 * recorded on the entry; only an interrupt, bad input (ConfigError) or a failed cleanup throws.
 */
export async function measureTarget(
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
    if (target.coldStartMs !== null) deps.log(`[${label}] first 200 after ${formatWholeMs(target.coldStartMs)} ms`);

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
      const cpuWindow = (await deps.contention?.open()) ?? null;
      let measured: EngineStep;
      try {
        measured = await runStep(kind, engineName, spec);
      } catch (error) {
        await sampler?.stop();
        await dbSampler?.stop().catch(() => null);
        throw error;
      }
      const cpuClosed = cpuWindow?.close() ?? null;
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
      // The sampler's figures stand in, per container, for a cgroup that could not be read; a database
      // pinned elsewhere took nothing of the targets' CPUs, which is all an estimate is counted on.
      const contention =
        cpuClosed?.figures({
          target: step.cpuPercent,
          ...(database ? { database: database.info.sharesTargetCpus ? (databaseResources?.cpuPercent ?? null) : 0 } : {}),
        }) ?? null;
      if (contention) step.contention = contention;
      entry.steps.push(step);
      if (resources && entry.memory) entry.memory.peakBytes = Math.max(entry.memory.peakBytes, resources.memoryPeakBytes);
      const lat = stepLatency(step)?.us;
      deps.log(
        `[${label}] ${kind} ${spec.rateRps === null ? 'closed loop' : `${spec.rateRps} rps`}: achieved ${step.achievedRps.toFixed(0)} rps, ` +
          (lat ? `p50 ${formatMsFromUs(lat.p50, 2)} ms, p99 ${formatMsFromUs(lat.p99, 2)} ms` : 'latency: no data (no request completed)') +
          (step.generator.bound ? ' [generator-bound]' : '') +
          (saturated ? ` [saturated: ${reasons.join('; ')}]` : '') +
          (stepContention(step) ? ` [contended: ${stepContention(step)}]` : ''),
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

/**
 * Measuring seconds of one (target, configuration, repetition) if no step stops early: warm-up, the
 * closed-loop maximum, every rate and every knee refinement. An upper bound: saturation ends the rate
 * steps sooner. Start-up, builds and contract checks are not counted. With `rates: auto` the ladder has
 * at most LADDER_FRACTIONS, the required rates (`requiredRps`, plan/ladder.ts requiredRates) and the extensions.
 */
export function plannedRunS(scenario: Pick<Scenario, 'load'>, requiredRps: readonly number[] = []): number {
  const l = scenario.load;
  const rates = l.steps.rates === 'auto' ? LADDER_FRACTIONS.length + requiredRps.length + MAX_EXTENSION_STEPS : l.steps.rates.length;
  return l.warmupS + l.max.durationS + (rates + l.knee.refineSteps) * l.steps.durationS;
}
