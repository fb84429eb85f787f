/**
 * The A/B executor: for each selected target/configuration, start the baseline's and the candidate's
 * containers (both before the first trial, so start-up is in no trial), warm each up, then run the
 * trial pairs in ABBA order (src/ab/order.ts). A side's trial is one short open-loop step per rate of
 * the scenario, then a short closed-loop step (max throughput). Only one side carries load at a
 * time; the other idles on the same CPUs. Collaborators come in through AbDeps so the executor runs
 * against in-process fake servers in tests. ab.json is saved after every trial; containers are
 * stopped in `finally`, whatever ends the run.
 */
import { classifyStep, loadSideLimit } from '../analysis/saturation.ts';
import { latencyOrAbsent } from '../analysis/step-rules.ts';
import { trialOrder, type Side } from '../ab/order.ts';
import type { AbDocument, AbSettings, Trial } from '../ab/schema.ts';
import { ConfigError, describeError, InterruptedError } from '../errors.ts';
import type { LoadEngine, StepSpec } from '../load/types.ts';
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
  save(doc: AbDocument): Promise<void>;
  log(line: string): void;
}

export interface AbInput {
  scenario: ResolvedScenario;
  settings: AbSettings;
  /** The (target, configuration) pairs to compare, in order (repetition 0 of the plan). */
  runs: ReadonlyArray<Pick<PlannedRun, 'spec' | 'configuration'>>;
  /** What every step shares (path, ids, workers, timeout, generator cpuset, pacing). */
  stepBase: Omit<StepSpec, 'rateRps' | 'durationS' | 'connections' | 'baseUrl'>;
  signal: AbortSignal;
}

/** Runs every trial into doc.trials (saved after each). Throws only on interrupt or bad input. */
export async function runAbTrials(doc: AbDocument, input: AbInput, deps: AbDeps): Promise<void> {
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
  try {
    for (const side of ['baseline', 'candidate'] as const) {
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
        baseline: { steps: [], error: startErrors.baseline ?? null },
        candidate: { steps: [], error: startErrors.candidate ?? null },
      });
      await deps.save(doc);
      return;
    }
    const base = (t: RunningTarget) => ({ ...input.stepBase, baseUrl: t.baseUrl, ...(t.connectHost !== undefined ? { connectHost: t.connectHost } : {}) });
    if (settings.warmupS > 0) {
      for (const side of ['baseline', 'candidate'] as const) {
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
        baseline: { steps: [], error: null },
        candidate: { steps: [], error: null },
      };
      for (const side of order[pair]!) {
        throwIfAborted(signal);
        const t = targets[side]!;
        try {
          for (const rate of settings.ratesRps) {
            trial[side].steps.push(await measure(t, 'rate', scenario.load.steps.engine, { ...base(t), rateRps: rate, durationS: settings.stepS, connections: scenario.load.connections }, input, deps));
          }
          trial[side].steps.push(await measure(t, 'max', scenario.load.max.engine, { ...base(t), rateRps: null, durationS: settings.maxStepS, connections: scenario.load.max.connections }, input, deps));
          await assertAlive(t);
        } catch (error) {
          if (error instanceof InterruptedError || error instanceof ConfigError) throw error;
          trial[side].error = describeError(error);
          deps.log(`[${label}] pair ${pair + 1}: ${side} failed: ${trial[side].error}`);
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
  const stored = { ...measured, latencyUs: latencyOrAbsent(measured.latencyUs) };
  const slo = { p99Ms: input.settings.p99Ms, errorRate: input.settings.errorRate };
  const { saturated, reasons } = classifyStep(stored, slo);
  // Docker's stats stream gives one sample a second and the first covers time before the step: with
  // fewer than three samples the mean reads far below the truth (a FastAPI closed-loop step at 100 %
  // read 47–67 % from two samples, bench:ab), and "CPU to spare" would wrongly mark the step
  // load-bound. Such a short step has no CPU figure: the load-side rule is not applied to it (the
  // engine's own generator limits still are), and ab's closed-loop figure is the throughput at the
  // scenario's max-step connections, compared pair by pair on the same generator.
  const cpuPercent = resources && resources.samples >= MIN_CPU_SAMPLES ? resources.cpuPercent : null;
  const step: Step = { ...stored, kind, resources, cpuPercent, saturated, saturationReasons: reasons };
  const limit = loadSideLimit(stored, cpuPercent, input.scenario.resources.cpus);
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
