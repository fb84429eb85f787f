/**
 * Where the load comes from when one machine is not enough (README "Several load machines"): agents
 * on the nodes of a Docker swarm, opened before the first step and removed on every exit. The run
 * calls the returned engine instead of a local one; nothing else in the run changes.
 */
import { ConfigError, InfrastructureError, InterruptedError } from '../errors.ts';
import { agentInfo } from '../load/cluster/client.ts';
import { ClusterEngine, type GeneratorNode } from '../load/cluster/engine.ts';
import { PROTOCOL_VERSION } from '../load/cluster/protocol.ts';
import type { LoadEngine } from '../load/types.ts';
import { connectEngine } from '../targets/engine/client.ts';
import { resolveEngine } from '../targets/engine/endpoint.ts';
import {
  assertSwarmManager,
  createGeneratorServices,
  listReadyNodes,
  newToken,
  pickNodes,
  removeGeneratorServices,
  waitForTasks,
  type SwarmNode,
} from '../targets/swarm.ts';
import type { DockerClient } from '../targets/engine/client.ts';
import { acceptsTcp } from '../util/tcp.ts';

export interface GeneratorsRequest {
  /** The swarm manager's engine (URL or context name, as --target-host takes). */
  swarm: string;
  nodes: number;
  image: string;
  /** cpuset every agent pins itself to on its node; null = all of the node's CPUs. */
  cpus: string | null;
}

export interface GeneratorCluster {
  engine: LoadEngine;
  nodes: readonly GeneratorNode[];
  /** The manager without credentials, for messages and run.json. */
  display: string;
  /** Removes the services (idempotent); never throws for a node that is gone. */
  close(): Promise<void>;
  /** The first generator node lost during the run (one line, exit 3), or null. */
  lost(): InfrastructureError | null;
}

/** Tasks must run within this (a node pulling nothing, starting node: seconds). */
const TASK_START_MS = 90_000;
/** Then the agents must answer within this. */
const AGENT_READY_MS = 30_000;

/**
 * Opens the swarm's generator nodes: checks the manager and the node count (exit 2), starts one agent
 * per node, waits for all to answer. Whatever fails after a service exists removes the services.
 */
export async function openSwarmGenerators(req: GeneratorsRequest, runId: string, warn: (line: string) => void, signal?: AbortSignal): Promise<GeneratorCluster> {
  const endpoint = resolveEngine(req.swarm);
  let docker: DockerClient;
  try {
    docker = await connectEngine(endpoint);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.message.replace("the target host's Docker engine", "the generators' swarm manager"), { cause: error, ...(error.hint ? { hint: error.hint } : {}) });
    throw error;
  }
  await assertSwarmManager(docker, endpoint.display);
  const nodes = pickNodes(await listReadyNodes(docker), req.nodes, endpoint.display);
  const token = newToken();
  const port = await freePortOnAll(nodes);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await removeGeneratorServices(docker, runId);
  };
  try {
    const serviceIds = await createGeneratorServices(docker, { runId, image: req.image, port, token, cpus: req.cpus }, nodes);
    await waitForTasks(docker, serviceIds, nodes, req.image, TASK_START_MS, signal);
    const generatorNodes = await Promise.all(nodes.map((n) => readyAgent(n, port, token, signal)));
    warn(`generators: ${nodes.length} swarm node(s) of ${endpoint.display}: ${generatorNodes.map((g) => `${g.node.id} ${g.node.address} (${g.threads} CPU${g.threads === 1 ? '' : 's'})`).join(', ')}`);
    const engine = new ClusterEngine(generatorNodes);
    return { engine, nodes: generatorNodes, display: endpoint.display, close, lost: () => engine.lost };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

async function readyAgent(node: SwarmNode, port: number, token: string, signal?: AbortSignal): Promise<GeneratorNode> {
  const endpoint = { address: node.address, port, token };
  const end = Date.now() + AGENT_READY_MS;
  let last: unknown = null;
  while (Date.now() < end) {
    if (signal?.aborted) throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
    try {
      const info = await agentInfo(endpoint);
      if (info.protocolVersion !== PROTOCOL_VERSION) {
        throw new ConfigError(`the generator image on node ${node.id} speaks protocol ${info.protocolVersion}, this httpbench ${PROTOCOL_VERSION}`, { hint: 'rebuild httpbench/generator from this checkout on every node' });
      }
      return { node: { id: node.id, hostname: info.hostname || node.hostname, address: node.address }, endpoint, threads: info.cpuCount };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      last = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new InfrastructureError(`the generator agent on node ${node.id} (${node.address}:${port}) did not answer within ${AGENT_READY_MS / 1000} s: ${last instanceof Error ? last.message : String(last)}`, {
    cause: last,
    hint: `this machine must reach TCP ${port} on every generator node (20000–49999); check a firewall`,
  });
}

/** A port in 20000–49999 that no node answers on now (each agent binds its node's address). */
async function freePortOnAll(nodes: readonly SwarmNode[], random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(random() * 30_000);
    const taken = await Promise.all(nodes.map((n) => acceptsTcp(n.address, port, 1000)));
    if (!taken.some(Boolean)) return port;
  }
  throw new InfrastructureError('found no port free on every generator node in 20 tries', { hint: 'check what listens on the generator nodes' });
}

/**
 * The generators of a run: the flags win over the scenario's hosts.generators; null = this machine.
 * Pure; bad combinations are one line each (exit 2).
 */
export function chooseGenerators(opts: {
  flag?: string | undefined;
  nodes?: number | undefined;
  image?: string | undefined;
  scenario?: { swarm: string; nodes: number; image: string; cpus?: string | undefined } | undefined;
}): GeneratorsRequest | null {
  const swarm = opts.flag ?? opts.scenario?.swarm;
  if (swarm === undefined) {
    if (opts.nodes !== undefined || opts.image !== undefined) {
      throw new ConfigError('--generator-nodes and --generator-image need --generators (or hosts.generators in the scenario)', { hint: 'e.g. --generators tcp://MANAGER:2375 --generator-nodes 2' });
    }
    return null;
  }
  const nodes = opts.nodes ?? opts.scenario?.nodes;
  if (nodes === undefined) throw new ConfigError('--generators needs --generator-nodes N (how many swarm nodes run a generator)', { hint: 'e.g. --generator-nodes 2' });
  if (!Number.isInteger(nodes) || nodes < 1) throw new ConfigError(`--generator-nodes must be a positive integer, got ${nodes}`);
  return { swarm, nodes, image: opts.image ?? opts.scenario?.image ?? 'httpbench/generator:latest', cpus: opts.scenario?.cpus ?? null };
}
