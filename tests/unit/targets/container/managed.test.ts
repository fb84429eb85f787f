/**
 * The one managed container (issue 21): every harness container gets the same hardening, its limits
 * only where given, and a stop that runs once however often it is asked for.
 */
import { describe, expect, it } from 'vitest';
import { hardenedHostConfig, harnessLabels, ManagedContainer, startOrRemove, TARGET_LABEL, TMP_TMPFS } from '../../../../src/targets/container/managed.ts';
import { HARNESS_LABEL, PID_LABEL, RUN_LABEL } from '../../../../src/targets/types.ts';

describe('hardenedHostConfig', () => {
  it('hardens every container the same way and sets only the limits it is given', () => {
    const hardening = { NetworkMode: 'host', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] };
    expect(hardenedHostConfig({})).toEqual(hardening);
    expect(hardenedHostConfig({ cpuset: '1', nanoCpus: 1e9, memoryBytes: 64 * 1048576, pids: 32, tmpfs: TMP_TMPFS })).toEqual({
      ...hardening,
      CpusetCpus: '1',
      NanoCpus: 1e9,
      Memory: 64 * 1048576,
      // No swap: a memory-hungry container is killed, not slowed.
      MemorySwap: 64 * 1048576,
      PidsLimit: 32,
      Tmpfs: { '/tmp': 'rw,noexec,nosuid,size=16m' },
    });
  });

  it('labels a container with its run and role; only owned ones name the owning process', () => {
    expect(harnessLabels('r1', 'database')).toEqual({ [HARNESS_LABEL]: '1', [RUN_LABEL]: 'r1', [TARGET_LABEL]: 'database' });
    expect(harnessLabels('r1', 'go-chi', true)[PID_LABEL]).toBe(String(process.pid));
  });
});

describe('ManagedContainer', () => {
  function fakeContainer() {
    const calls: string[] = [];
    const container = {
      id: 'c0ffee000000',
      stop: async () => void calls.push('stop'),
      remove: async () => void calls.push('remove'),
    };
    return { container, calls };
  }

  it('stops and removes once, however often stop is called', async () => {
    const { container, calls } = fakeContainer();
    const managed = new ManagedContainer(container as never, 'container', 10);
    await Promise.all([managed.stop(), managed.stop()]);
    await managed.stop();
    expect(calls).toEqual(['stop', 'remove']);
  });

  it('removes a container whose start failed and rethrows the start error', async () => {
    const { container, calls } = fakeContainer();
    await expect(startOrRemove(container as never, async () => Promise.reject(new Error('no 200')))).rejects.toThrow('no 200');
    expect(calls).toEqual(['remove']);
    expect(await startOrRemove(container as never, async () => 42)).toBe(42);
    expect(calls).toEqual(['remove']);
  });
});
