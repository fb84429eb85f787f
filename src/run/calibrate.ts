/**
 * The instrument's floor and ceiling against the calibration server (bench/server on the targets'
 * CPUs), measured before the first target.
 */
import { describeError, InterruptedError } from '../errors.ts';
import { CEILING_MARGIN, CPU_BUSY_FRACTION, type CeilingFigure } from '../load/generator-bound.ts';
import type { EngineStep, StepSpec } from '../load/types.ts';
import { calibrationRates, listedRates } from '../plan/ladder.ts';
import type { Calibration, Ceiling } from '../schema/run.ts';
import type { ResourceSampler, RunningTarget } from '../targets/types.ts';
import { stepBase, throwIfAborted, type RunDeps, type RunInput } from './deps.ts';
import { formatMsFromUs } from '../util/format.ts';


/**
 * The instrument's floor and ceiling, against the calibration server on the targets' CPUs (the smallest
 * Go HTTP server). First the ceiling: the max step's engine, threads and connections in closed loop, so
 * a target figure near it is known to be the load side's. Then the floor: the open-loop engine at every
 * rate of the scenario with the targets' schedule (connections, workers, pacing); with `rates: auto`, a
 * series up to the ceiling (plan/ladder.ts calibrationRates). A failure here never fails the run: the
 * floor or ceiling is then unknown, and run.json says why.
 */
export async function calibrate(input: RunInput, deps: RunDeps, required: readonly number[]): Promise<Calibration> {
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
      const cpuWindow = (await deps.contention?.open()) ?? null;
      const step = await deps.engine('openloop').runStep(
        { ...base, baseUrl: started.target.baseUrl, rateRps: rate, durationS: calibration.durationS, connections: scenario.load.connections },
        signal,
      );
      // No stats sampler on the calibration server: its CPU comes from its cgroup, or the targets' side stays unjudged.
      const contention = cpuWindow?.close().figures({ target: null }) ?? null;
      throwIfAborted(signal);
      const latencyUs = step.latencyUs.corrected ?? step.latencyUs.uncorrected;
      calibration.steps.push({ offeredRps: rate, achievedRps: step.achievedRps, latencyUs, generatorBound: step.generator.bound, ...(contention ? { contention } : {}) });
      deps.log(
        `[calibration] ${rate} rps: floor p50 ${formatMsFromUs(latencyUs.p50, 3)} ms, p99 ${formatMsFromUs(latencyUs.p99, 3)} ms` +
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
  const cpuWindow = (await deps.contention?.open()) ?? null;
  const sampler = server.sampleResources();
  let resources: Awaited<ReturnType<ResourceSampler['stop']>> | null = null;
  let step: EngineStep;
  try {
    step = await engine.runStep(spec, signal);
  } finally {
    // The server's CPU only says what limited the ceiling: a sampling error leaves it unknown.
    resources = sampler ? await sampler.stop().catch(() => null) : null;
  }
  // A busy machine lowers the ceiling, and with it every "≥" it decides: the run's quiet line counts it.
  const contention = cpuWindow?.close().figures({ target: resources?.cpuPercent ?? null }) ?? null;
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
    ...(contention ? { contention } : {}),
  };
}

/** The ceiling as the generator-bound rules read it; null when not measured. */
export function ceilingFigure(ceiling: Ceiling | null | undefined): CeilingFigure | null {
  return ceiling ? { rps: ceiling.achievedRps, limitedBy: ceiling.limitedBy, marginFraction: ceiling.marginFraction } : null;
}
