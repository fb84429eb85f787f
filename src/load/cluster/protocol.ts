/**
 * The generator agent's HTTP protocol (JSON over HTTP/1.1; every request carries the run's token in
 * TOKEN_HEADER). The orchestrator is the client; the agent never dials out except to the target:
 *
 *   GET  /info   → AgentInfo
 *   GET  /clock  → { epochUs }             (clock-offset round trips, clock-offset.ts)
 *   POST /run    AgentRunRequest → AgentRunResult, answered when the share has drained
 *   POST /abort  → 204                      (the step under way stops, /run answers with what it has)
 *
 * Why an HTTP endpoint on the agent rather than results in service logs: the clock-offset
 * measurement needs round trips to the running agent anyway, the start must be given after every
 * node is ready, and an abort must reach a node mid-step. Logs can only carry results one way,
 * after the fact, and Swarm's log streaming splits long lines. A dropped /run connection is also the
 * quickest sign of a lost node.
 */
import type { ShareResult, ShareSpec } from '../openloop/share.ts';

export const TOKEN_HEADER = 'x-httpbench-token';
/** Bumped when a field changes meaning: an agent image of another version is refused by name. */
export const PROTOCOL_VERSION = 1;
/** Largest request body the agent reads (a share spec is a few KB even with thousands of connections). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface AgentInfo {
  protocolVersion: number;
  /** CPUs the agent process may run on. */
  cpuCount: number;
  /** cpuset the agent is pinned to, null when unpinned. */
  cpuset: string | null;
  hostname: string;
  /** Kernel boot id: agents on one kernel (the namespace rig) share it, real machines do not. */
  bootId: string | null;
}

export interface AgentRunRequest {
  /** This node's share: the step's global connection count and this node's connection indices. */
  share: ShareSpec;
  /** Threads to run the share on (capped by the agent's CPUs under spin pacing and by its connections). */
  threads: number;
  /** The common start instant, epoch µs on the agent's own clock (the orchestrator added the offset). */
  startEpochUs: number;
}

export interface AgentRunResult {
  /** One per thread, in thread order: encoded histograms and counts, merged by the orchestrator. */
  results: ShareResult[];
  /** CPU of the agent process over the share, percent of one core. */
  cpuPercent: number;
  threads: number;
  /** CPUs the agent could keep busy (its affinity), for the generator-bound rules. */
  cpuCount: number;
  /** How late the agent was ready for the common start, µs (0 = ready before it); sends owed since then left late and count as lateness. */
  startSlipUs: number;
  notes: string[];
}
