/**
 * Docker Swarm as the cluster engine for generator nodes (README "Several load machines"), through
 * dockerode against a manager's engine: check it is a manager, pick ready nodes by ID (nodes may
 * share a host name), start one agent task per node, watch the tasks, remove the services.
 *
 * One replicated service (1 replica) per node, pinned with `node.id==ID`, rather than one global
 * service: placement constraints cannot OR several node IDs, so a global service could only be
 * narrowed to N of the nodes by labelling them (changing the user's cluster); per-node services also
 * fail, and are reported, one node at a time. Restart policy `none`: an agent that died mid-step must
 * not come back silently with an empty share. Host networking: no overlay or NAT on the measured path.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, describeError, InfrastructureError, InterruptedError } from '../errors.ts';
import type { DockerClient } from './engine/client.ts';
import { HARNESS_LABEL } from './types.ts';

/** Label of every generator service: the run id, so a run removes exactly its own. */
export const GENERATOR_RUN_LABEL = 'io.httpbench.generator-run';

export interface SwarmNode {
  /** Swarm node ID: the only reliable name (two nodes may share a host name). */
  id: string;
  hostname: string;
  /** The node's address in the swarm (where its agent listens, host networking). */
  address: string;
  role: 'manager' | 'worker';
}

/** The engine must be an active swarm's manager: one line otherwise (exit 2). */
export async function assertSwarmManager(docker: DockerClient, display: string): Promise<void> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  if (state !== 'active') {
    throw new ConfigError(`${display} is not part of a Docker swarm (swarm state: ${state})`, {
      hint: "give a swarm manager's engine: 'docker swarm init' there, 'docker swarm join' on every load machine (README \"Several load machines\")",
    });
  }
  if (!info.Swarm?.ControlAvailable) {
    throw new ConfigError(`${display} is a swarm worker, not a manager`, { hint: "give a manager's engine ('docker node ls' works there)" });
  }
}

interface NodeRecord {
  ID?: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  Spec?: { Availability?: string; Role?: string };
  ManagerStatus?: { Addr?: string };
}

/** Ready, active nodes sorted by ID (a stable choice); a manager reporting 0.0.0.0 is taken at its manager address. Pure. */
export function readyNodes(records: readonly NodeRecord[]): SwarmNode[] {
  return records
    .filter((n) => n.ID && n.Status?.State === 'ready' && n.Spec?.Availability === 'active')
    .map((n) => {
      let address = n.Status?.Addr ?? '';
      if ((address === '' || address === '0.0.0.0') && n.ManagerStatus?.Addr) address = n.ManagerStatus.Addr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      return { id: n.ID!, hostname: n.Description?.Hostname ?? '', address, role: n.Spec?.Role === 'manager' ? ('manager' as const) : ('worker' as const) };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The first `wanted` ready nodes; fewer is bad input, in one line. Pure. */
export function pickNodes(ready: readonly SwarmNode[], wanted: number, display: string): SwarmNode[] {
  if (ready.length < wanted) {
    throw new ConfigError(`the swarm of ${display} has ${ready.length} ready node(s), ${wanted} generator nodes asked`, {
      hint: "ask for fewer nodes (hosts.generators.nodes / --generator-nodes), or join more machines ('docker node ls' shows their state)",
    });
  }
  return ready.slice(0, wanted);
}

export async function listReadyNodes(docker: DockerClient): Promise<SwarmNode[]> {
  return readyNodes((await docker.listNodes()) as NodeRecord[]);
}

export interface GeneratorServiceSpec {
  runId: string;
  image: string;
  port: number;
  token: string;
  /** cpuset the agents pin themselves to on their node; null = all its CPUs. */
  cpus: string | null;
}

/** A Docker service name from a run id and a node index (names allow [a-zA-Z0-9-], 63 characters). */
export function serviceName(runId: string, index: number): string {
  return `httpbench-gen-${runId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 55).replace(/-+$/, '') + `-${index}`;
}

/** The service body for one node (pure: tested without an engine). */
export function generatorServiceBody(spec: GeneratorServiceSpec, node: SwarmNode, index: number): Record<string, unknown> {
  return {
    Name: serviceName(spec.runId, index),
    Labels: { [HARNESS_LABEL]: '1', [GENERATOR_RUN_LABEL]: spec.runId },
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Args: ['--port', String(spec.port), '--host', node.address, ...(spec.cpus ? ['--cpus', spec.cpus] : [])],
        // The token in the environment of a task the harness owns: not on any command line.
        Env: [`HTTPBENCH_AGENT_TOKEN=${spec.token}`],
        Labels: { [HARNESS_LABEL]: '1', [GENERATOR_RUN_LABEL]: spec.runId },
        StopGracePeriod: 2_000_000_000,
      },
      Placement: { Constraints: [`node.id==${node.id}`] },
      RestartPolicy: { Condition: 'none' },
      Networks: [{ Target: 'host' }],
    },
    Mode: { Replicated: { Replicas: 1 } },
  };
}

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

export async function createGeneratorServices(docker: DockerClient, spec: GeneratorServiceSpec, nodes: readonly SwarmNode[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, node] of nodes.entries()) {
    const created = (await docker.createService(generatorServiceBody(spec, node, i) as never)) as { id?: string; ID?: string };
    ids.push(created.id ?? created.ID ?? serviceName(spec.runId, i));
  }
  return ids;
}

interface TaskRecord {
  ServiceID?: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string; Message?: string };
}

export type TaskView = { state: 'running' } | { state: 'pending'; detail: string } | { state: 'failed'; detail: string; noImage: boolean };

/** What one service's task is doing now. Pure. */
export function taskView(tasks: readonly TaskRecord[]): TaskView {
  if (tasks.some((t) => t.Status?.State === 'running')) return { state: 'running' };
  const failed = tasks.find((t) => ['rejected', 'failed', 'shutdown', 'orphaned', 'complete', 'remove'].includes(t.Status?.State ?? ''));
  if (failed) {
    const detail = failed.Status?.Err || failed.Status?.Message || failed.Status?.State || 'failed';
    return { state: 'failed', detail, noImage: /no such image|pull access denied|manifest unknown|not found|does not exist|image .* could not be/i.test(detail) };
  }
  const t = tasks[0];
  return { state: 'pending', detail: t ? `${t.Status?.State ?? 'new'}${t.Status?.Err ? `: ${t.Status.Err}` : ''}` : 'no task yet' };
}

export async function serviceTaskView(docker: DockerClient, serviceId: string): Promise<TaskView> {
  return taskView((await docker.listTasks({ filters: { service: [serviceId] } })) as TaskRecord[]);
}

/**
 * Waits until every node's task runs. A node without the image is bad input (exit 2, naming the
 * node and how to get the image there); another failure or a task still pending at the deadline is
 * the machine's (exit 3).
 */
export async function waitForTasks(docker: DockerClient, serviceIds: readonly string[], nodes: readonly SwarmNode[], image: string, deadlineMs: number, signal?: AbortSignal): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (signal?.aborted) throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
    const views = await Promise.all(serviceIds.map((id) => serviceTaskView(docker, id)));
    for (const [i, v] of views.entries()) {
      if (v.state !== 'failed') continue;
      const node = nodes[i]!;
      if (v.noImage) {
        throw new ConfigError(`generator node ${node.id} (${node.address}) has no image ${image}: ${v.detail}`, {
          hint: `build it on that node's engine (docker build -f docker/generator.Dockerfile -t ${image} .) or copy it there (docker save ${image} | docker -H NODE load)`,
        });
      }
      throw new InfrastructureError(`the generator task on node ${node.id} (${node.address}) failed to start: ${v.detail}`, { hint: `docker service ps --no-trunc ${serviceIds[i]} on the manager says more` });
    }
    if (views.every((v) => v.state === 'running')) return;
    if (Date.now() > end) {
      const stuck = views.map((v, i) => (v.state === 'pending' ? `${nodes[i]!.id}: ${v.detail}` : null)).filter((x) => x !== null);
      throw new InfrastructureError(`generator tasks did not start within ${Math.round(deadlineMs / 1000)} s (${stuck.join('; ')})`, { hint: "check the nodes with 'docker node ls' and 'docker service ps' on the manager" });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Removes this run's generator services and waits (bounded) until their tasks are gone, so nothing
 * of the run is left on any node that answers. Returns how many services were removed.
 */
export async function removeGeneratorServices(docker: DockerClient, runId: string, waitMs = 20_000): Promise<number> {
  const services = (await docker.listServices({ filters: { label: [`${GENERATOR_RUN_LABEL}=${runId}`] } })) as Array<{ ID: string }>;
  // The tasks first: once a service is gone its tasks can no longer be found by service, but they
  // live on (desired state "remove") until their node has stopped and removed the container.
  const tasks = services.length === 0 ? [] : ((await docker.listTasks({ filters: { service: services.map((s) => s.ID) } })) as Array<{ ID?: string; NodeID?: string }>);
  for (const s of services) {
    await docker
      .getService(s.ID)
      .remove()
      .catch((error: unknown) => {
        if (!/404|no such service|not found/i.test(describeError(error))) throw error;
      });
  }
  const ids = tasks.map((t) => t.ID).filter((id): id is string => typeof id === 'string');
  const end = Date.now() + waitMs;
  while (ids.length > 0 && Date.now() < end) {
    const left = (await docker.listTasks({ filters: { id: ids } }).catch(() => [])) as unknown[];
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return services.length;
}
