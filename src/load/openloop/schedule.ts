/**
 * The open-loop send schedule as one pure function of (global rate, global connection count,
 * connection index): wrk2's `usec_to_next_send` spread over connections. The global rate R is split
 * evenly over all C connections of the step, so each sends every C/R s; connection g (its global
 * index) is offset by g/R s, which staggers the connections into one evenly spaced stream of R
 * requests/s. A share of the connections — on another thread or another machine — runs the same
 * function with its own indices (k6's execution segments): the union of the shares' send times is the
 * one-machine schedule, exactly.
 */

/** Time between two sends of one connection, µs. */
export function connectionPeriodUs(totalConnections: number, rateRps: number): number {
  return (totalConnections * 1e6) / rateRps;
}

/** Offset of connection `g`'s first send from the start of the schedule, µs. */
export function connectionPhaseUs(g: number, rateRps: number): number {
  return (g * 1e6) / rateRps;
}

/** Sends of a connection with this phase intended within `spanUs` of the start (slots at phase + k·period < span). */
export function slotsWithin(phaseUs: number, periodUs: number, spanUs: number): number {
  const left = spanUs - phaseUs;
  return left > 0 ? Math.ceil(left / periodUs) : 0;
}

/**
 * Every intended send time of the connections `indices`, µs from the start, in time order. For tests
 * and for checking a split; the engine walks the same slots lazily.
 */
export function intendedSendTimesUs(rateRps: number, totalConnections: number, indices: readonly number[], durationS: number): number[] {
  const periodUs = connectionPeriodUs(totalConnections, rateRps);
  const spanUs = durationS * 1e6;
  const out: number[] = [];
  for (const g of indices) {
    const phaseUs = connectionPhaseUs(g, rateRps);
    const n = slotsWithin(phaseUs, periodUs, spanUs);
    for (let k = 0; k < n; k++) out.push(phaseUs + k * periodUs);
  }
  return out.sort((a, b) => a - b);
}
