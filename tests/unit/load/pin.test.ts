import { describe, expect, it } from 'vitest';
import { pinnedCpusetFromStatus } from '../../../src/load/pin.ts';

const status = (list: string) => `Name:\tnode\nCpus_allowed:\t1\nCpus_allowed_list:\t${list}\nMems_allowed_list:\t0\n`;

describe('pinnedCpusetFromStatus', () => {
  it('reports a narrower affinity as a cpuset list', () => {
    expect(pinnedCpusetFromStatus(status('0'), 2)).toBe('0');
    expect(pinnedCpusetFromStatus(status('0-1,3'), 8)).toBe('0-1,3');
    expect(pinnedCpusetFromStatus(status('2,3,5'), 8)).toBe('2-3,5');
  });

  it('is null when every CPU is allowed (not pinned)', () => {
    expect(pinnedCpusetFromStatus(status('0-1'), 2)).toBeNull();
    // Kernels list possible CPUs beyond the online ones: those do not make it "pinned".
    expect(pinnedCpusetFromStatus(status('0-63'), 4)).toBeNull();
  });

  it('is null without the line (not Linux)', () => {
    expect(pinnedCpusetFromStatus('Name:\tnode\n', 2)).toBeNull();
    expect(pinnedCpusetFromStatus('', 2)).toBeNull();
  });
});
