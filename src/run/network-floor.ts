/**
 * The network floor of a two-host run: before the first target, an idle round trip — a low open-loop
 * rate against the calibration server on the targets' host — measures what the wire, both kernels
 * and the smallest server add to every request. A failure here never fails the run: the floor is
 * then unknown and run.json says why.
 */
import { describeError, InterruptedError } from '../errors.ts';
import type { NetworkFloor } from '../schema/run.ts';
import { PATH_TEMPLATE, type RunDeps, type RunInput } from './deps.ts';
import { formatMsFromUs } from '../util/format.ts';

/** Low enough to be idle for any target host, high enough for a p99 from 200 samples. */
export const NETWORK_FLOOR_RATE_RPS = 100;
export const NETWORK_FLOOR_DURATION_S = 2;

export async function measureNetworkFloor(input: RunInput, deps: RunDeps, host: string): Promise<NetworkFloor> {
  const floor: NetworkFloor = { host, rateRps: NETWORK_FLOOR_RATE_RPS, durationS: NETWORK_FLOOR_DURATION_S, floorUs: null, error: null };
  if (!deps.startCalibration) {
    floor.error = 'no calibration server can run on the target host';
    return floor;
  }
  let started: Awaited<ReturnType<NonNullable<RunDeps['startCalibration']>>> | null = null;
  try {
    deps.log(`[network] idle round trips to ${host}: ${NETWORK_FLOOR_RATE_RPS} req/s for ${NETWORK_FLOOR_DURATION_S} s`);
    started = await deps.startCalibration({ cpus: input.scenario.resources.cpus, cpuset: input.targetCpuset, runId: input.runId, signal: input.signal });
    const step = await deps.engine('openloop').runStep(
      {
        baseUrl: started.target.baseUrl,
        pathTemplate: PATH_TEMPLATE,
        ids: input.scenario.load.ids,
        rateRps: NETWORK_FLOOR_RATE_RPS,
        durationS: NETWORK_FLOOR_DURATION_S,
        // One connection, one thread: the round trip itself, not the generator's fan-out.
        connections: 1,
        workers: 1,
        timeoutMs: input.scenario.load.timeoutMs,
        generatorCpuset: input.generatorCpuset,
        pacing: input.scenario.load.pacing,
      },
      input.signal,
    );
    floor.floorUs = step.latencyUs.corrected ?? step.latencyUs.uncorrected;
    deps.log(`[network] floor p50 ${formatMsFromUs(floor.floorUs.p50, 3)} ms, p99 ${formatMsFromUs(floor.floorUs.p99, 3)} ms`);
  } catch (error) {
    if (error instanceof InterruptedError || input.signal.aborted) throw error;
    floor.error = describeError(error);
    deps.log(`[network] failed, latency figures will have no network floor: ${floor.error}`);
  } finally {
    await started?.target.stop();
  }
  return floor;
}
