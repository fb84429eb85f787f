/**
 * How a step's connections are split into shares: across generator nodes, then across each node's
 * threads. Interleaved (connection g goes to share g mod N), as the engine already splits them over
 * worker threads, so every share's phases spread over the whole period and each share offers R/N
 * evenly spaced requests per second. k6 splits a test into execution segments the same way; here
 * the unit is the connection, because the open-loop schedule is per connection (schedule.ts): the
 * union of the shares is exactly the one-machine schedule, and no send belongs to two shares.
 */
import { ConfigError } from '../../errors.ts';

/** Splits `indices` into `parts` interleaved shares (index j goes to share j mod parts); empty shares dropped. */
export function interleave(indices: readonly number[], parts: number): number[][] {
  const out: number[][] = Array.from({ length: Math.max(1, parts) }, () => []);
  indices.forEach((g, j) => out[j % out.length]!.push(g));
  return out.filter((s) => s.length > 0);
}

/** The global indices 0…total−1 split over `nodes` generator nodes; every node needs a connection. */
export function splitAcrossNodes(totalConnections: number, nodes: number): number[][] {
  if (!Number.isInteger(nodes) || nodes < 1) throw new ConfigError(`generator nodes must be a positive integer, got ${nodes}`);
  if (totalConnections < nodes) {
    throw new ConfigError(`${totalConnections} connections cannot be split over ${nodes} generator nodes`, {
      hint: 'give the step at least one connection per generator node (load.connections / load.max.connections), or ask for fewer nodes',
    });
  }
  return interleave(Array.from({ length: totalConnections }, (_, g) => g), nodes);
}

/** This share's part of the global offered rate, requests/s (null: closed loop). */
export function shareRateRps(rateRps: number | null, totalConnections: number, shareConnections: number): number | null {
  return rateRps === null ? null : (rateRps * shareConnections) / totalConnections;
}
