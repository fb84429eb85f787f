/**
 * The instrument's floor at an offered rate: what the same engine, schedule and CPU split measured
 * against the calibration server (the smallest Go HTTP server, on the targets' CPUs) at that rate.
 * Pure. A target's latency includes up to this much of the instrument's own time (generator,
 * kernel, loopback, the smallest possible server), so a figure is only known to lie in
 * [figure − floor, figure].
 */
import type { Calibration, NetworkFloor, PercentilesUs, RunDocument, Step } from '../schema/run.ts';
import type { Percentile } from '../schema/percentiles.ts';
import { matchesRate } from './step-rules.ts';

export interface Floor {
  /** Corrected latency of the calibration server, µs. */
  latencyUs: PercentilesUs;
  /** The calibrated rate(s) it comes from (one when the rate was calibrated exactly). */
  fromRps: number[];
  /** The generator limited a calibration step it comes from. */
  generatorBound: boolean;
  /** Two-host runs: the network's idle round trip set this floor (it exceeded the calibration's). */
  network?: boolean;
}

/**
 * The floor at `rateRps`: the calibration step at that rate, or — for a rate between two calibrated
 * ones (knee refinement) — the higher floor of its neighbours, percentile by percentile (the floor
 * grows with the rate, so the upper neighbour is the conservative one, but a noisy lower one can
 * exceed it). Above the highest calibrated rate: that rate's floor, marked by `fromRps`. Null when
 * nothing was calibrated.
 */
export function floorAt(calibration: Calibration | null | undefined, rateRps: number, network?: NetworkFloor | null): Floor | null {
  const instrument = instrumentFloorAt(calibration, rateRps);
  const net = network?.floorUs;
  if (!net || net.count === 0) return instrument;
  if (!instrument) return { latencyUs: net, fromRps: [network.rateRps], generatorBound: false, network: true };
  // Two-host runs: a figure includes the wire as well as the instrument; the larger of the two bounds it.
  const pick = (k: keyof PercentilesUs) => Math.max(instrument.latencyUs[k], net[k]);
  const networkWins = net.p99 > instrument.latencyUs.p99;
  return {
    ...instrument,
    latencyUs: { p50: pick('p50'), p90: pick('p90'), p95: pick('p95'), p99: pick('p99'), p999: pick('p999'), max: pick('max'), mean: pick('mean'), count: instrument.latencyUs.count },
    ...(networkWins ? { network: true } : {}),
  };
}

function instrumentFloorAt(calibration: Calibration | null | undefined, rateRps: number): Floor | null {
  const steps = (calibration?.steps ?? []).filter((s) => s.latencyUs.count > 0).sort((a, b) => a.offeredRps - b.offeredRps);
  if (steps.length === 0) return null;
  // Within 1 % counts as the same rate, as for claims (step-rules.ts matchesRate).
  const same = steps.find((s) => matchesRate(s.offeredRps, rateRps));
  if (same) return { latencyUs: same.latencyUs, fromRps: [same.offeredRps], generatorBound: same.generatorBound };
  const below = steps.filter((s) => s.offeredRps < rateRps).at(-1);
  const above = steps.find((s) => s.offeredRps > rateRps);
  const picked = [below, above].filter((s) => s !== undefined);
  const pick = (k: keyof PercentilesUs) => Math.max(...picked.map((s) => s.latencyUs[k]));
  return {
    latencyUs: { p50: pick('p50'), p90: pick('p90'), p95: pick('p95'), p99: pick('p99'), p999: pick('p999'), max: pick('max'), mean: pick('mean'), count: Math.min(...picked.map((s) => s.latencyUs.count)) },
    fromRps: picked.map((s) => s.offeredRps),
    generatorBound: picked.some((s) => s.generatorBound),
  };
}

/**
 * How much of a step's corrected latency at `percentile` may be the instrument's own (claims rule 10
 * and the threshold gates read this one rule): the larger of the floor at the step's rate and — when
 * generator stalls reached that percentile's tail (generator.latencyCaveats) — the generator's read
 * delay there. The target's own figure lies in [figure − ownUs, figure].
 */
export function instrumentShare(
  step: Pick<Step, 'offeredRps' | 'generator'>,
  percentile: Percentile,
  doc: Pick<RunDocument, 'calibration' | 'network'>,
): { ownUs: number; floorUs: number; floor: Floor | null; stallUs: number; stallReason: string | null } {
  const floor = step.offeredRps === null ? null : floorAt(doc.calibration, step.offeredRps, doc.network);
  const floorUs = floor?.latencyUs[percentile] ?? 0;
  const stall = step.generator.latencyCaveats?.find((c) => c.percentile === percentile);
  const stallUs = stall ? (step.generator.readDelayUs?.[percentile] ?? 0) : 0;
  return { ownUs: Math.max(floorUs, stallUs), floorUs, floor, stallUs, stallReason: stall?.reason ?? null };
}
