/**
 * The open-loop schedule, written out once for the reference client: the global rate R is split over C
 * connections, connection g is offset by g/R s and sends every C/R s, so slot n of connection g is
 * intended at start + g/R + n·C/R. Same arithmetic as src/load/openloop/share.ts (phase, period) and
 * connection.ts (start + phase + n × period), so both clients aim at the same instants.
 */
export function intendedSendUs(startUs: number, g: number, n: number, rateRps: number, connections: number): number {
  const phaseUs = (g * 1e6) / rateRps;
  const periodUs = (connections * 1e6) / rateRps;
  return startUs + phaseUs + n * periodUs;
}
