import { describe, expect, it } from 'vitest';
import { formatCpuset, parseCpuset, splitCpus } from '../../../src/scenario/cpuset.ts';

describe('cpuset', () => {
  it('parses lists and ranges', () => {
    expect(parseCpuset('0')).toEqual([0]);
    expect(parseCpuset('0,2-4')).toEqual([0, 2, 3, 4]);
    expect(formatCpuset([4, 0, 2, 3])).toBe('0,2-4');
  });
  it('gives the target the last CPUs and the generator the rest', () => {
    expect(splitCpus(2, 1)).toEqual({ target: '1', generator: '0', shared: false });
    expect(splitCpus(8, 4)).toEqual({ target: '4-7', generator: '0-3', shared: false });
  });
  it('says so when nothing is left for the generator', () => {
    expect(splitCpus(2, 2)).toEqual({ target: '0-1', generator: null, shared: true });
  });
  it('honours explicit sets and detects overlap', () => {
    expect(splitCpus(4, 1, '2', '0-2')).toEqual({ target: '2', generator: '0-2', shared: true });
  });
});
