import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { chooseGenerators } from '../../../src/run/generators.ts';
import { generatorServiceBody, GENERATOR_RUN_LABEL, pickNodes, readyNodes, serviceName, taskView } from '../../../src/targets/swarm.ts';

const node = (id: string, over: Record<string, unknown> = {}) => ({
  ID: id,
  Description: { Hostname: 'same-name' },
  Status: { State: 'ready', Addr: `198.18.0.${id.length}` },
  Spec: { Availability: 'active', Role: 'worker' },
  ...over,
});

describe('swarm nodes', () => {
  it('keeps ready, active nodes, sorted by ID (host names repeat), a manager at 0.0.0.0 taken at its manager address', () => {
    const ready = readyNodes([
      node('zz'),
      node('b', { Status: { State: 'down', Addr: '198.18.0.9' } }),
      node('c', { Spec: { Availability: 'drain', Role: 'worker' } }),
      node('aaa', { Status: { State: 'ready', Addr: '0.0.0.0' }, Spec: { Availability: 'active', Role: 'manager' }, ManagerStatus: { Addr: '198.18.0.1:2377' } }),
    ]);
    expect(ready).toEqual([
      { id: 'aaa', hostname: 'same-name', address: '198.18.0.1', role: 'manager' },
      { id: 'zz', hostname: 'same-name', address: '198.18.0.2', role: 'worker' },
    ]);
  });

  it('fewer ready nodes than asked is bad input in one line', () => {
    const ready = readyNodes([node('a'), node('bb')]);
    expect(pickNodes(ready, 2, 'tcp://m:2375').map((n) => n.id)).toEqual(['a', 'bb']);
    expect(() => pickNodes(ready, 3, 'tcp://m:2375')).toThrow(ConfigError);
    expect(() => pickNodes(ready, 3, 'tcp://m:2375')).toThrow('the swarm of tcp://m:2375 has 2 ready node(s), 3 generator nodes asked');
  });
});

describe('generator services', () => {
  const body = generatorServiceBody({ runId: '2026-12-03T081500Z-abc123', image: 'httpbench/generator:ci', port: 41000, token: 't'.repeat(48), cpus: '0' }, { id: 'n1', hostname: 'h', address: '198.18.0.2', role: 'worker' }, 1) as {
    Name: string;
    Labels: Record<string, string>;
    TaskTemplate: { ContainerSpec: { Args: string[]; Env: string[] }; Placement: { Constraints: string[] }; RestartPolicy: { Condition: string }; Networks: Array<{ Target: string }> };
    Mode: unknown;
  };

  it('one replica pinned to the node by ID, host network, never restarted, labelled with the run', () => {
    expect(body.Name).toBe('httpbench-gen-2026-12-03t081500z-abc123-1');
    expect(body.Labels[GENERATOR_RUN_LABEL]).toBe('2026-12-03T081500Z-abc123');
    expect(body.TaskTemplate.Placement.Constraints).toEqual(['node.id==n1']);
    expect(body.TaskTemplate.RestartPolicy.Condition).toBe('none');
    expect(body.TaskTemplate.Networks).toEqual([{ Target: 'host' }]);
    expect(body.Mode).toEqual({ Replicated: { Replicas: 1 } });
    // Bound to the node's address, pinned, the token only in the environment.
    expect(body.TaskTemplate.ContainerSpec.Args).toEqual(['--port', '41000', '--host', '198.18.0.2', '--cpus', '0']);
    expect(body.TaskTemplate.ContainerSpec.Args.join(' ')).not.toContain('ttt');
    expect(body.TaskTemplate.ContainerSpec.Env).toEqual([`HTTPBENCH_AGENT_TOKEN=${'t'.repeat(48)}`]);
  });

  it('service names stay within Docker\'s 63 characters', () => {
    expect(serviceName('x'.repeat(200), 12).length).toBeLessThanOrEqual(63);
  });

  it('reads a task: running, a missing image (bad input), another failure, pending', () => {
    expect(taskView([{ Status: { State: 'running' } }])).toEqual({ state: 'running' });
    expect(taskView([{ Status: { State: 'rejected', Err: 'No such image: httpbench/generator:ci' } }])).toEqual({ state: 'failed', detail: 'No such image: httpbench/generator:ci', noImage: true });
    expect(taskView([{ Status: { State: 'failed', Err: 'task: non-zero exit (3)' } }])).toEqual({ state: 'failed', detail: 'task: non-zero exit (3)', noImage: false });
    expect(taskView([{ Status: { State: 'preparing' } }])).toEqual({ state: 'pending', detail: 'preparing' });
    expect(taskView([])).toEqual({ state: 'pending', detail: 'no task yet' });
  });
});

describe('chooseGenerators', () => {
  it('flags win over the scenario; nothing given means this machine', () => {
    expect(chooseGenerators({})).toBeNull();
    const scenario = { swarm: 'tcp://a:2375', nodes: 3, image: 'httpbench/generator:latest', cpus: '0-1' };
    expect(chooseGenerators({ scenario })).toEqual({ swarm: 'tcp://a:2375', nodes: 3, image: 'httpbench/generator:latest', cpus: '0-1' });
    expect(chooseGenerators({ flag: 'tcp://b:2375', nodes: 2, image: 'httpbench/generator:ci', scenario })).toEqual({ swarm: 'tcp://b:2375', nodes: 2, image: 'httpbench/generator:ci', cpus: '0-1' });
  });

  it('refuses half a request in one line', () => {
    expect(() => chooseGenerators({ nodes: 2 })).toThrow('--generator-nodes and --generator-image need --generators');
    expect(() => chooseGenerators({ flag: 'tcp://b:2375' })).toThrow('--generators needs --generator-nodes N');
    expect(() => chooseGenerators({ flag: 'tcp://b:2375', nodes: 0 })).toThrow(ConfigError);
  });
});
