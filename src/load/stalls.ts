/**
 * Which latency percentiles of a step could the generator itself have caused? Pure, so the rule is
 * tested with exact numbers. Spin pacing tells, per response, how long the measuring thread may have
 * left it unread (its read delay); a response read after a delay above the stall threshold — or
 * waiting on a connection whose previous read was — is "stalled". A percentile is in doubt when
 * stalled responses reach its tail (more than 1 % of responses for p99) and the generator's read
 * delay at that rank is a noticeable part of the figure: the target may not have caused it.
 */
import type { PercentilesUs } from '../schema/run.ts';
import { PERCENTILES, TAIL_FRACTION, type Percentile } from '../schema/percentiles.ts';

export type TailPercentile = Percentile;

/** The generator's read delay at a percentile must reach this share of the figure to matter. */
export const READ_DELAY_SHARE = 0.1;

export interface LatencyCaveat {
  percentile: TailPercentile;
  reason: string;
}

export function latencyCaveats(
  latency: PercentilesUs | null,
  readDelay: PercentilesUs | null,
  stalledResponses: number,
  completed: number,
  stallThresholdUs: number,
): LatencyCaveat[] {
  if (!latency || !readDelay || completed === 0) return [];
  const fraction = stalledResponses / completed;
  const out: LatencyCaveat[] = [];
  for (const p of PERCENTILES) {
    const tail = TAIL_FRACTION[p];
    if (fraction <= tail) continue;
    const delay = readDelay[p];
    const figure = latency[p];
    if (figure <= 0 || delay < READ_DELAY_SHARE * figure) continue;
    out.push({
      percentile: p,
      reason:
        `${pct(fraction)} of responses were read after a generator stall (> ${stallThresholdUs} µs), more than the ${pct(tail)} tail of ${p}; ` +
        `the generator's own read delay at ${p} is ${Math.round(delay)} µs, ${pct(delay / figure)} of the ${Math.round(figure)} µs figure`,
    });
  }
  return out;
}

function pct(f: number): string {
  return `${(f * 100).toFixed(f < 0.01 ? 2 : f < 0.1 ? 1 : 0)} %`;
}
