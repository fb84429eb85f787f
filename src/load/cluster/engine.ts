/**
 * The load engine of a run whose generators are agents on other machines (README "Several load
 * machines"): the run calls it like the local engine (`runStep(spec) → EngineStep`). Before each
 * step it measures every node's clock offset, splits the connections into interleaved node shares
 * (segments.ts), gives every node the same start instant on its own clock, waits for all shares and
 * merges them exactly (merge.ts). A node that stops answering fails the step in one line naming it
 * (exit 3); the other nodes are told to stop.
 */
import net from 'node:net';
import { ConfigError, InfrastructureError } from '../../errors.ts';
import { DEFAULT_PACING, parseTarget } from '../openloop/engine.ts';
import { isLoopbackAddress } from '../url-guard.ts';
import type { ShareSpec } from '../openloop/share.ts';
import type { EngineStep, LoadEngine, StepObserver, StepSpec } from '../types.ts';
import { epochNowUs, measureOffset, type ClockOffset } from './clock-offset.ts';
import { agentAbort, agentClock, agentRun, AgentRequestError, type AgentEndpoint } from './client.ts';
import { mergeNodes, type NodeOutcome } from './merge.ts';
import { splitAcrossNodes } from './segments.ts';

export interface GeneratorNode {
  node: NodeOutcome['node'];
  endpoint: AgentEndpoint;
  /** Threads the agent runs its share on: its CPUs (one busy-polling thread each). */
  threads: number;
}

/** Round trips per node and step for the clock offset (the shortest one decides, clock-offset.ts). */
export const CLOCK_ROUNDS = 16;
/** From the orchestrator's "go" to the common start: every node must have its share and open its connections by then. */
export const START_LEAD_US = 1_500_000;
/** Added to a step's own length before a node that has not answered counts as lost. */
const ANSWER_SLACK_MS = 30_000;

const DEFAULT_INTERVAL_MS = 1000;

export class ClusterEngine implements LoadEngine {
  readonly name = 'openloop' as const;
  /** The first node loss: every later step fails with it at once (the run ends in this one line). */
  lost: InfrastructureError | null = null;
  constructor(
    readonly nodes: readonly GeneratorNode[],
    private readonly options: {
      startLeadUs?: number;
      clockRounds?: number;
      /** Agents on this machine (tests): they share its loopback, so a loopback target is reachable. */
      agentsShareLoopback?: boolean;
    } = {},
  ) {
    if (nodes.length === 0) throw new ConfigError('a generator cluster needs at least one node');
  }

  /** Every node's clock offset from this machine's, measured now. */
  async measureClocks(): Promise<ClockOffset[]> {
    const out: ClockOffset[] = [];
    for (const n of this.nodes) {
      try {
        out.push(await measureOffset(() => agentClock(n.endpoint), this.options.clockRounds ?? CLOCK_ROUNDS));
      } catch (error) {
        this.lost ??= lostNode(n, 'before the step', error);
        throw this.lost;
      }
    }
    return out;
  }

  async runStep(spec: StepSpec, signal?: AbortSignal, _observer?: StepObserver): Promise<EngineStep> {
    if (this.lost) throw this.lost;
    const target = { ...parseTarget(spec.baseUrl), ...(spec.connectHost !== undefined ? { host: spec.connectHost } : {}) };
    if (net.isIP(target.host) === 0) throw new ConfigError(`generator nodes connect to IP addresses only; ${target.host} was not resolved and checked`, { hint: 'give the target as an IP address' });
    if (isLoopbackAddress(target.host) && !this.options.agentsShareLoopback) {
      throw new ConfigError(`the target ${target.host} is this machine's loopback, which generator nodes cannot reach`, {
        hint: 'run the targets on a targets host the nodes reach (--target-host, or a url: target on its address with --allow-remote)',
      });
    }
    const pacing = spec.pacing ?? DEFAULT_PACING;
    const split = splitAcrossNodes(spec.connections, this.nodes.length);
    const clocks = await this.measureClocks();
    const startEpochMs = Date.now();
    const startLocalUs = epochNowUs() + (this.options.startLeadUs ?? START_LEAD_US);
    const timeoutMs = (this.options.startLeadUs ?? START_LEAD_US) / 1000 + spec.durationS * 1000 + spec.timeoutMs + ANSWER_SLACK_MS;

    const abortAll = () => Promise.all(this.nodes.map((n) => agentAbort(n.endpoint)));
    const onAbort = () => void abortAll();
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    let firstLoss: Error | null = null;
    try {
      const runs = this.nodes.map(async (n, i): Promise<NodeOutcome> => {
        const share: ShareSpec = {
          ...target,
          pathTemplate: spec.pathTemplate,
          ids: spec.ids,
          idsStream: i,
          rateRps: spec.rateRps,
          totalConnections: spec.connections,
          connectionIndices: split[i]!,
          durationS: spec.durationS,
          timeoutMs: spec.timeoutMs,
          intervalMs: spec.intervalMs ?? DEFAULT_INTERVAL_MS,
          pacing,
        };
        try {
          const result = await agentRun(n.endpoint, { share, threads: n.threads, startEpochUs: startLocalUs + clocks[i]!.offsetUs }, timeoutMs);
          return { node: n.node, connectionIndices: split[i]!, clock: clocks[i]!, result };
        } catch (error) {
          const failure = lostNode(n, 'during the step', error);
          // The first loss stops the others at once: their figures would be a part of a step.
          if (firstLoss === null) {
            firstLoss = failure;
            void abortAll();
          }
          throw failure;
        }
      });
      const settled = await Promise.allSettled(runs);
      if (firstLoss) {
        this.lost ??= firstLoss;
        throw firstLoss;
      }
      const outcomes = settled.map((s) => (s as PromiseFulfilledResult<NodeOutcome>).value);
      return mergeNodes(spec, pacing, outcomes, startEpochMs);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** One line naming the node; an agent that answered with an error is not "lost" but still fails the step. */
function lostNode(n: GeneratorNode, when: string, error: unknown): InfrastructureError {
  const what = error instanceof AgentRequestError && !error.lost ? 'failed' : 'was lost';
  const why = error instanceof Error ? error.message : String(error);
  return new InfrastructureError(`generator node ${n.node.id} (${n.node.address}) ${what} ${when}: ${why}`, {
    cause: error,
    hint: 'check that node (docker node ls on the manager); the step is not kept, the run stops',
  });
}
