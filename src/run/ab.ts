/**
 * The A/B executor: for each selected target/configuration, start the baseline's and the candidate's
 * containers (both before the first trial, so start-up is in no trial; which first is a coin's, see
 * src/ab/order.ts startOrder), warm each up, then run the
 * trial pairs in ABBA order (src/ab/order.ts). A side's trial is one short open-loop step per rate of
 * the scenario, then a short closed-loop step (max throughput). Design `duet` (the default) measures
 * both sides in every step at once from one generator thread, the order deciding whose schedule
 * goes first; `alternating` measures one side after the other, the other idling on the same CPUs.
 * Collaborators come in through AbDeps so the executor runs
 * against in-process fake servers in tests. ab.json is saved after every trial; containers are
 * stopped in `finally`, whatever ends the run.
 */
import { classifyStep, loadSideLimit } from '../analysis/saturation.ts';
import { latencyOrAbsent } from '../analysis/step-rules.ts';
import { startOrder, trialOrder, type Side } from '../ab/order.ts';
import type { AbDocument, AbSettings, Trial } from '../ab/schema.ts';
import { ConfigError, describeError, InterruptedError } from '../errors.ts';
import { halfSlotUs } from '../load/openloop/side-by-side.ts';
import type { EngineStep, LoadEngine, StepSpec } from '../load/types.ts';
import type { PlannedRun } from '../plan/plan.ts';
import type { ResolvedScenario } from '../scenario/resolve.ts';
import type { Step } from '../schema/run.ts';
import type { RunningTarget } from '../targets/types.ts';
import { throwIfAborted } from './deps.ts';

/** Docker stats samples needed before a step's mean CPU is trusted (see measure). */
export const MIN_CPU_SAMPLES = 3;

export interface AbDeps {
  /** Starts `side`'s container of this (target, configuration) — its image, its env overrides. */
  start(side: Side, run: Pick<PlannedRun, 'spec' | 'configuration'>): Promise<RunningTarget>;
  /** Pre-flight contract of a started target (src/targets/contract.ts). */
  verifyContract(baseUrl: string, connectHost?: string): Promise<{ ok: boolean; failures: string[] }>;
  engine(name: Step['engine']): LoadEngine;
  /**
   * One step per spec at once from one generator thread (design `duet`): src/load/openloop/side-by-side.ts.
   * `phasesUs[i]` delays spec i's schedule.
   */
  sideBySide(specs: StepSpec[], phasesUs: number[], signal: AbortSignal): Promise<EngineStep[]>;
  save(doc: AbDocument): Promise<void>;
  log(line: string): void;
  /** Uniform in [0, 1): the coin deciding which container starts first (src/ab/order.ts startOrder). */
  random(): number;
}

export interface AbInput {
  scenario: ResolvedScenario;
  settings: AbSettings;
  /** The (target, configuration) pairs to compare, in order (repetition 0 of the plan). */
  runs: ReadonlyArray<Pick<PlannedRun, 'spec' | 'configuration'>>;
  /** What every step shares (path, ids, workers, timeout, generator cpuset, pacing). */
  stepBase: Omit<StepSpec, 'rateRps' | 'durationS' | 'connections' | 'baseUrl'>;
  /** CPUs in the targets' cpuset (both sides' containers share it); null when unknown (not pinned). */
  targetCpuCount: number | null;
  signal: AbortSignal;
}

/** Runs every trial into doc.trials (saved after each). Throws only on interrupt or bad input. */
export async function runAbTrials(doc: AbDocument, input: AbInput, deps: AbDeps): Promise<void> {
  const { steps, max } = input.scenario.load;
  if (input.settings.design === 'duet' && (steps.engine !== 'openloop' || max.engine !== 'openloop')) {
    throw new ConfigError(`a duet drives both sides from the openloop engine; the scenario's load names ${steps.engine !== 'openloop' ? `steps.engine ${steps.engine}` : `max.engine ${max.engine}`}`, {
      hint: 'use --design alternating, or set the scenario\'s load engines to openloop',
    });
  }
  for (const run of input.runs) {
    throwIfAborted(input.signal);
    await runGroup(doc, run, input, deps);
  }
}

async function runGroup(doc: AbDocument, run: Pick<PlannedRun, 'spec' | 'configuration'>, input: AbInput, deps: AbDeps): Promise<void> {
  const { settings, scenario, signal } = input;
  const label = `${run.spec.name}/${run.configuration.id}`;
  const targets: Partial<Record<Side, RunningTarget>> = {};
  const startErrors: Partial<Record<Side, string>> = {};
  const started = startOrder(deps.random());
  try {
    deps.log(`[${label}] starting the ${started[0]} first (a coin's choice: the container started second can keep an edge, src/ab/order.ts)`);
    for (const side of started) {
      try {
        const t = await deps.start(side, run);
        targets[side] = t;
        const contract = await deps.verifyContract(t.baseUrl, t.connectHost);
        if (!contract.ok) startErrors[side] = `pre-flight contract failed: ${contract.failures.join('; ')}`;
        else deps.log(`[${label}] ${side} up at ${t.baseUrl}${t.coldStartMs !== null ? ` (first 200 after ${t.coldStartMs.toFixed(0)} ms)` : ''}`);
      } catch (error) {
        if (error instanceof InterruptedError || error instanceof ConfigError) throw error;
        startErrors[side] = describeError(error);
      }
      if (startErrors[side]) deps.log(`[${label}] ${side} could not be measured: ${startErrors[side]}`);
    }
    if (startErrors.baseline || startErrors.candidate) {
      // One record says why: a candidate that cannot start is a regression, a baseline that cannot is incomplete.
      doc.trials.push({
        target: run.spec.name,
        configuration: run.configuration.id,
        pair: 0,
        order: ['baseline', 'candidate'],
        startedFirst: started[0],
        baseline: { steps: [], error: startErrors.baseline ?? null },
        candidate: { steps: [], error: startErrors.candidate ?? null },
      });
      await deps.save(doc);
      return;
    }
    const base = (t: RunningTarget) => ({ ...input.stepBase, baseUrl: t.baseUrl, ...(t.connectHost !== undefined ? { connectHost: t.connectHost } : {}) });
    if (settings.warmupS > 0) {
      for (const side of started) {
        throwIfAborted(signal);
        await deps.engine(scenario.load.max.engine).runStep({ ...base(targets[side]!), rateRps: null, durationS: settings.warmupS, connections: scenario.load.max.connections }, signal);
      }
      deps.log(`[${label}] both warmed up (${settings.warmupS} s each, discarded)`);
    }
    const order = trialOrder(settings.pairs);
    for (let pair = 0; pair < order.length; pair++) {
      const trial: Trial = {
        target: run.spec.name,
        configuration: run.configuration.id,
        pair,
        order: [...order[pair]!] as Trial['order'],
        startedFirst: started[0],
        baseline: { steps: [], error: null },
        candidate: { steps: [], error: null },
      };
      const rateSpec = (t: RunningTarget, rate: number): StepSpec => ({ ...base(t), rateRps: rate, durationS: settings.stepS, connections: scenario.load.connections });
      const maxSpec = (t: RunningTarget): StepSpec => ({ ...base(t), rateRps: null, durationS: settings.maxStepS, connections: scenario.load.max.connections });
      if (settings.design === 'duet') {
        await runDuetTrial(trial, targets as Record<Side, RunningTarget>, order[pair]![0]!, rateSpec, maxSpec, input, deps, label);
      } else {
        for (const side of order[pair]!) {
          throwIfAborted(signal);
          const t = targets[side]!;
          try {
            for (const rate of settings.ratesRps) trial[side].steps.push(await measure(t, 'rate', scenario.load.steps.engine, rateSpec(t, rate), input, deps));
            trial[side].steps.push(await measure(t, 'max', scenario.load.max.engine, maxSpec(t), input, deps));
            await assertAlive(t);
          } catch (error) {
            if (error instanceof InterruptedError || error instanceof ConfigError) throw error;
            trial[side].error = describeError(error);
            deps.log(`[${label}] pair ${pair + 1}: ${side} failed: ${trial[side].error}`);
          }
        }
      }
      doc.trials.push(trial);
      deps.log(`[${label}] pair ${pair + 1}/${order.length} (${order[pair]!.map((s) => (s === 'baseline' ? 'A' : 'B')).join('')}): ${trialLine(trial, settings.ratesRps)}`);
      await deps.save(doc);
      // A dead container measures nothing more: the remaining pairs are not run.
      if (trial.baseline.error || trial.candidate.error) {
        const dead = await Promise.all((['baseline', 'candidate'] as const).map(async (s) => ((await targets[s]!.state()).running ? null : s)));
        if (dead.some((s) => s !== null)) {
          deps.log(`[${label}] ${dead.filter(Boolean).join(' and ')} no longer running: the remaining pairs are skipped`);
          break;
        }
      }
    }
  } finally {
    await Promise.allSettled([targets.baseline?.stop(), targets.candidate?.stop()]);
  }
}

/**
 * A duet trial: every step measures both sides at once (src/load/openloop/side-by-side.ts). `first`
 * (the order's first side) sends on the step's schedule, the other half a slot later, so neither
 * queues behind the other and the alternation over pairs cancels any advantage of a phase. A step
 * that fails fails the side whose container is gone, or both when both still run (the pair is then
 * not comparable).
 */
async function runDuetTrial(
  trial: Trial,
  targets: Record<Side, RunningTarget>,
  first: Side,
  rateSpec: (t: RunningTarget, rate: number) => StepSpec,
  maxSpec: (t: RunningTarget) => StepSpec,
  input: AbInput,
  deps: AbDeps,
  label: string,
): Promise<void> {
  // The pair's first side is also the engine's first share: its connections open first and its
  // sockets are served first in a turn of the event loop, so ABBA alternates that too (the closed loop
  // has no phase to alternate). It was the first suspect for a lean of FastAPI's A/A runs (candidate
  // faster in 8–10 of 10) but did not remove it (bench/README.md "A/B in one job").
  const sides = first === 'baseline' ? (['baseline', 'candidate'] as const) : (['candidate', 'baseline'] as const);
  try {
    for (const rate of [...input.settings.ratesRps, null]) {
      throwIfAborted(input.signal);
      const later = rate === null ? 0 : halfSlotUs(rate);
      const phases = sides.map((s) => (s === first ? 0 : later));
      const steps = await measureDuet(
        targets,
        sides,
        sides.map((s) => (rate === null ? maxSpec(targets[s]) : rateSpec(targets[s], rate))),
        phases,
        rate === null ? 'max' : 'rate',
        input,
        deps,
      );
      sides.forEach((s, i) => trial[s].steps.push(steps[i]!));
    }
    for (const s of sides) await assertAlive(targets[s]);
  } catch (error) {
    if (error instanceof InterruptedError || error instanceof ConfigError) throw error;
    const why = describeError(error);
    const states = await Promise.all(sides.map((s) => targets[s].state().catch(() => null)));
    const dead = sides.filter((_, i) => states[i] !== null && !states[i]!.running);
    for (const s of dead.length > 0 ? dead : sides) trial[s].error = why;
    deps.log(`[${label}] pair ${trial.pair + 1}: ${(dead.length > 0 ? dead : sides).join(' and ')} failed: ${why}`);
  }
}

/** Both sides' steps of one duet step, each classified as measure() classifies one. */
async function measureDuet(targets: Record<Side, RunningTarget>, sides: readonly Side[], specs: StepSpec[], phasesUs: number[], kind: Step['kind'], input: AbInput, deps: AbDeps): Promise<Step[]> {
  // In the order of `sides`, as `specs`: each step gets its own container's resources.
  const samplers = sides.map((s) => targets[s].sampleResources());
  let measured: EngineStep[];
  try {
    measured = await deps.sideBySide(specs, phasesUs, input.signal);
  } catch (error) {
    await Promise.all(samplers.map((s) => s?.stop().catch(() => null)));
    throw error;
  }
  const resources = await Promise.all(samplers.map((s) => (s ? s.stop().catch(() => null) : null)));
  throwIfAborted(input.signal);
  const [cpuA = null, cpuB = null] = resources.map(trustedCpu);
  const cpu = [cpuA, cpuB];
  // The two containers share the targets' CPUs: whether the load side limited a step is read from
  // what both used together against what both could use (their two budgets, capped by the cpuset).
  const both = cpuA === null || cpuB === null ? null : cpuA + cpuB;
  const cpus = Math.min(2 * input.scenario.resources.cpus, input.targetCpuCount ?? Infinity);
  return measured.map((m, i) => classify(m, kind, resources[i] ?? null, cpu[i] ?? null, { cpuPercent: both, cpus }, input));
}

/**
 * Docker's stats stream gives one sample a second and the first covers time before the step: with
 * fewer than three samples the mean reads far below the truth (a FastAPI closed-loop step at 100 %
 * read 47–67 % from two samples, bench:ab), and "CPU to spare" would wrongly mark the step
 * load-bound. Such a short step has no CPU figure: the load-side rule is not applied to it (the
 * engine's own generator limits still are), and ab's closed-loop figure is the throughput at the
 * scenario's max-step connections, compared pair by pair on the same generator.
 */
function trustedCpu(resources: Step['resources']): number | null {
  return resources && resources.samples >= MIN_CPU_SAMPLES ? resources.cpuPercent : null;
}

/** One step with the target-side classification the judge reads (saturated, generator-bound). */
async function measure(target: RunningTarget, kind: Step['kind'], engineName: Step['engine'], spec: StepSpec, input: AbInput, deps: AbDeps): Promise<Step> {
  const sampler = target.sampleResources();
  let measured;
  try {
    measured = await deps.engine(engineName).runStep(spec, input.signal);
  } catch (error) {
    await sampler?.stop().catch(() => null);
    throw error;
  }
  const resources = sampler ? await sampler.stop().catch(() => null) : null;
  throwIfAborted(input.signal);
  const cpuPercent = trustedCpu(resources);
  return classify(measured, kind, resources, cpuPercent, { cpuPercent, cpus: input.scenario.resources.cpus }, input);
}

/** The step as the judge reads it; `limitBy` is the CPU the load-side rule compares with its budget. */
function classify(measured: EngineStep, kind: Step['kind'], resources: Step['resources'], cpuPercent: number | null, limitBy: { cpuPercent: number | null; cpus: number }, input: AbInput): Step {
  const stored = { ...measured, latencyUs: latencyOrAbsent(measured.latencyUs) };
  const slo = { p99Ms: input.settings.p99Ms, errorRate: input.settings.errorRate };
  const { saturated, reasons } = classifyStep(stored, slo);
  const step: Step = { ...stored, kind, resources, cpuPercent, saturated, saturationReasons: reasons };
  const limit = loadSideLimit(stored, limitBy.cpuPercent, limitBy.cpus);
  if (limit) {
    step.generator.bound = true;
    step.generator.boundReasons.push(limit);
  }
  return step;
}

async function assertAlive(target: RunningTarget): Promise<void> {
  const state = await target.state();
  if (state.running) return;
  throw new Error(state.removed ? 'the container was removed from outside httpbench' : state.oomKilled ? 'the target was OOM-killed' : `the target exited with code ${state.exitCode ?? 'unknown'}`);
}

/** A short progress line: p50 at the first rate and max throughput per side. */
function trialLine(trial: Trial, rates: readonly number[]): string {
  const side = (s: Side) => {
    if (trial[s].error) return `${s} failed`;
    const first = trial[s].steps.find((x) => x.offeredRps === rates[0]);
    const max = trial[s].steps.find((x) => x.kind === 'max');
    const p50 = first?.latencyUs.corrected?.p50 ?? first?.latencyUs.uncorrected?.p50;
    return `${s === 'baseline' ? 'A' : 'B'} p50 ${p50 === undefined ? '—' : `${(p50 / 1000).toFixed(3)} ms`}, max ${max ? max.achievedRps.toFixed(0) : '—'} req/s`;
  };
  return `${side('baseline')}; ${side('candidate')}`;
}
