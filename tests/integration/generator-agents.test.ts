/**
 * Two generator agents in this process (real HTTP on 127.0.0.1, port 0) driven by the cluster engine
 * against a fake server: the step's schedule is one machine's, the merge is exact, a lost agent fails
 * the step naming it, and the agent's entry point refuses bad input in one line.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/errors.ts';
import { agentRequest } from '../../src/load/cluster/client.ts';
import { createAgent, type Agent } from '../../src/load/cluster/agent.ts';
import { ClusterEngine, type GeneratorNode } from '../../src/load/cluster/engine.ts';
import { intendedSendTimesUs } from '../../src/load/openloop/schedule.ts';
import type { StepSpec } from '../../src/load/types.ts';
import { decodeHistogram } from '../../src/samples/histogram.ts';
import { startFakeServer, type FakeServer } from '../helpers/fake-server.ts';
import { ROOT } from '../helpers/cli.ts';
import { stepSpec as baseStepSpec } from '../helpers/step-spec.ts';

const TOKEN = 'test-token-0123456789abcdef';
let server: FakeServer | undefined;
let agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  await server?.close();
  server = undefined;
});

async function startAgents(n: number): Promise<GeneratorNode[]> {
  const nodes: GeneratorNode[] = [];
  for (let i = 0; i < n; i++) {
    const agent = createAgent({ token: TOKEN, cpuCount: 1, info: { hostname: 'same-host', cpuset: null, bootId: null } });
    await new Promise<void>((resolve) => agent.server.listen(0, '127.0.0.1', resolve));
    agents.push(agent);
    const port = (agent.server.address() as AddressInfo).port;
    nodes.push({ node: { id: `node-${i}`, hostname: 'same-host', address: '127.0.0.1' }, endpoint: { address: '127.0.0.1', port, token: TOKEN }, threads: 1 });
  }
  return nodes;
}

function stepSpec(url: string, over: Partial<StepSpec> = {}): StepSpec {
  return baseStepSpec(url, { pacing: 'sleep', ...over });
}

describe('generator agents (cluster engine)', () => {
  it('two agents offer one machine\'s schedule and merge exactly', async () => {
    server = await startFakeServer({ delayMs: 2 });
    const engine = new ClusterEngine(await startAgents(2), { startLeadUs: 300_000, clockRounds: 4, agentsShareLoopback: true });
    const spec = stepSpec(server.url);
    const step = await engine.runStep(spec);
    const shares = step.shares!;
    expect(shares.map((s) => s.node.id)).toEqual(['node-0', 'node-1']);
    expect(shares.map((s) => s.connections)).toEqual([4, 4]);
    // Intended sends: exactly the one-machine schedule's count (8 connections, 200 req/s, 1 s = 200).
    const oneMachine = intendedSendTimesUs(200, 8, [...Array(8).keys()], 1).length;
    expect(step.counts.intended).toBe(oneMachine);
    expect(shares.reduce((s, x) => s + (x.counts.intended ?? 0), 0)).toBe(oneMachine);
    // Merge exactness: merged totals are the sums of the shares', and what the server answered.
    expect(step.counts.completed).toBe(shares[0]!.counts.completed + shares[1]!.counts.completed);
    expect(decodeHistogram(step.histograms.uncorrected).totalCount).toBe(step.counts.completed);
    expect(decodeHistogram(step.histograms.corrected!).totalCount).toBe(
      shares.reduce((s, x) => s + decodeHistogram(x.histograms.corrected!).totalCount, 0),
    );
    expect(step.counts.completed).toBe(server.requestCount);
    expect(step.counts.completed).toBeGreaterThan(oneMachine * 0.9);
    // Latency is at least the injected delay; each node's clock bound is stated.
    expect(step.latencyUs.uncorrected.p50).toBeGreaterThanOrEqual(2000);
    for (const s of shares) {
      expect(s.clock.rounds).toBe(4);
      expect(s.clock.errorUs).toBeGreaterThanOrEqual(0);
      expect(Math.abs(s.clock.offsetUs)).toBeLessThanOrEqual(s.clock.errorUs + 1); // one process: one clock
    }
    // Different id streams per node: the two shares did not request the same ids in lockstep.
    expect(new Set(server.paths).size).toBeGreaterThan(20);
  }, 30_000);

  it('closed loop (rateRps null) runs on the shares too, counts summed', async () => {
    server = await startFakeServer({ delayMs: 5 });
    const engine = new ClusterEngine(await startAgents(2), { startLeadUs: 300_000, clockRounds: 2, agentsShareLoopback: true });
    const step = await engine.runStep(stepSpec(server.url, { rateRps: null, durationS: 0.5, connections: 4 }));
    expect(step.counts.completed).toBe(step.shares!.reduce((s, x) => s + x.counts.completed, 0));
    expect(step.counts.completed).toBe(server.requestCount);
    expect(step.shares!.every((s) => s.offeredRps === null && s.counts.completed > 0)).toBe(true);
  }, 30_000);

  it('a lost agent fails the step with one line naming the node; the other stops', async () => {
    server = await startFakeServer({ delayMs: 1 });
    const nodes = await startAgents(2);
    const engine = new ClusterEngine(nodes, { startLeadUs: 200_000, clockRounds: 2, agentsShareLoopback: true });
    const t0 = performance.now();
    const running = engine.runStep(stepSpec(server.url, { durationS: 5 }));
    setTimeout(() => void agents[1]!.close(), 800);
    const error = await running.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toMatch(/^generator node node-1 \(127\.0\.0\.1\) was lost during the step: /);
    expect((error as Error).message).not.toContain('\n');
    // The surviving agent was told to stop: well before the 5 s schedule ended.
    expect(performance.now() - t0).toBeLessThan(4000);
    // And it is free for the next step (no step still running there).
    const info = await agentRequest<{ protocolVersion: number }>(nodes[0]!.endpoint, 'GET', '/info', undefined, 2000);
    expect(info.protocolVersion).toBe(1);
  }, 30_000);

  it('refuses a loopback target unless the agents share this machine\'s loopback (nodes elsewhere cannot reach it)', async () => {
    const engine = new ClusterEngine(await startAgents(1), { clockRounds: 1 });
    await expect(engine.runStep(stepSpec('http://127.0.0.1:9'))).rejects.toThrow("the target 127.0.0.1 is this machine's loopback, which generator nodes cannot reach");
  });

  it('refuses a wrong token and a share aimed at a name instead of an address', async () => {
    const [node] = await startAgents(1);
    await expect(agentRequest(node!.endpoint, 'GET', '/clock', undefined, 2000).then(() => 'ok')).resolves.toBe('ok');
    await expect(agentRequest({ ...node!.endpoint, token: 'wrong-token-0123456789' }, 'GET', '/clock', undefined, 2000)).rejects.toThrow('HTTP 401');
    const share = { ...stepSpec('http://x'), host: 'localhost', port: 1, tls: false, hostHeader: 'x', serverName: null, idsStream: 0, totalConnections: 1, connectionIndices: [0], intervalMs: 1000 };
    await expect(agentRequest(node!.endpoint, 'POST', '/run', { share, threads: 1, startEpochUs: 0 }, 2000)).rejects.toThrow('share.host must be an IP address');
  });

  it('the entry point refuses a missing token in one line (exit 2)', async () => {
    const r = await execa('node', ['--import', 'tsx', path.join(ROOT, 'src/cli/generator-agent.ts'), '--port', '45678'], { reject: false, env: { HTTPBENCH_AGENT_TOKEN: '' }, timeout: 30_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('generator-agent: HTTPBENCH_AGENT_TOKEN must be set (16 characters or more)');
  }, 40_000);
});
