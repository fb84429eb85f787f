/**
 * Issue 12: a container Docker no longer knows (404) is "removed", and `clean` removes only
 * containers whose run has ended, listing those it skipped. Against a scripted Docker client.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { cleanHarness, ownerFromLabels, type DockerClient } from '../../../src/targets/docker.ts';
import { containerState, ownerLabels } from '../../../src/targets/container/managed.ts';
import { HARNESS_LABEL, RUN_LABEL } from '../../../src/targets/types.ts';
import { currentOwner } from '../../../src/util/owner.ts';

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('containerState', () => {
  it('reports a container Docker answers 404 for as removed, not as exited', async () => {
    const gone = { inspect: async () => Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 })) };
    expect(await containerState(gone as never)).toEqual({ running: false, exitCode: null, oomKilled: false, removed: true });
    const exited = { inspect: async () => ({ State: { Running: false, ExitCode: 137, OOMKilled: false } }) };
    expect(await containerState(exited as never)).toEqual({ running: false, exitCode: 137, oomKilled: false });
  });
});

describe('cleanHarness', () => {
  function fakeDocker(containers: Array<{ id: string; labels: Record<string, string> }>) {
    const removed: string[] = [];
    const docker = {
      listContainers: async () => containers.map((c) => ({ Id: c.id, Names: [`/${c.id}`], Labels: { [HARNESS_LABEL]: '1', ...c.labels }, State: 'running' })),
      getContainer: (id: string) => ({ remove: async () => void removed.push(id) }),
      listNetworks: async () => [],
    } as unknown as DockerClient;
    return { docker, removed };
  }

  it('removes containers of ended runs and of unlabelled old versions, skips live ones unless forced', async () => {
    const live = ownerLabels(currentOwner());
    const dead = ownerLabels({ host: os.hostname(), pid: deadPid(), pidStart: null });
    const { docker, removed } = fakeDocker([
      { id: 'live', labels: { [RUN_LABEL]: 'run-live', ...live } },
      { id: 'dead', labels: { [RUN_LABEL]: 'run-dead', ...dead } },
      { id: 'old', labels: { [RUN_LABEL]: 'run-old' } },
    ]);
    const result = await cleanHarness(docker);
    expect(removed).toEqual(['dead', 'old']);
    expect(result.skipped.map((c) => [c.id, c.runId, c.owner?.pid])).toEqual([['live', 'run-live', process.pid]]);
    const forced = fakeDocker([{ id: 'live', labels: { [RUN_LABEL]: 'run-live', ...live } }]);
    await cleanHarness(forced.docker, { force: true });
    expect(forced.removed).toEqual(['live']);
  });

  it('round-trips the owner through labels', () => {
    const owner = currentOwner();
    expect(ownerFromLabels(ownerLabels(owner))).toEqual(owner);
    expect(ownerFromLabels({})).toBeNull();
  });
});
