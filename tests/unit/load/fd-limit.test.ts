import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { assertConnectionsFit, openFilesSoftLimit } from '../../../src/load/fd-limit.ts';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            ${soft}                 1048576              files     \n`;

describe('file-descriptor limit', () => {
  it('reads the soft limit of /proc/self/limits', () => {
    expect(openFilesSoftLimit(limits('1024'))).toBe(1024);
    expect(openFilesSoftLimit(limits('unlimited'))).toBe(Infinity);
    expect(openFilesSoftLimit('nothing here')).toBeNull();
  });
  it('refuses connections that would not fit with 64 descriptors kept free', () => {
    expect(() => assertConnectionsFit(960, 1024)).not.toThrow();
    expect(() => assertConnectionsFit(961, 1024)).toThrow(ConfigError);
    expect(() => assertConnectionsFit(100_000, 1024)).toThrow(/100000 connections need more file descriptors than this process may open \(soft limit 1024/);
    expect(() => assertConnectionsFit(100_000, null)).not.toThrow();
  });
});
