import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, InfrastructureError } from '../../../src/errors.ts';
import { appendRegularFile, ensureWritableDir, overwriteInPlace, writeFileAtomic, writeOutputFile } from '../../../src/util/fs.ts';
import { execFileSync } from 'node:child_process';

describe('results directory checks', () => {
  it('refuses a disk without enough free space before anything runs, naming the path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    // No disk has this much room: the check must fail, with the path and a hint.
    const error = await ensureWritableDir(dir, Number.MAX_SAFE_INTEGER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).message).toMatch(new RegExp(`MiB free on the disk of ${dir}$`));
    expect((error as InfrastructureError).hint).toContain('--out');
    await expect(ensureWritableDir(dir)).resolves.toBeUndefined();
  });

  it('refuses a path that cannot be a directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(ensureWritableDir(path.join(dir, 'file', 'out'))).rejects.toThrow(/not writable/);
  });

  it('writes atomically: the target file appears whole and no temp file is left', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    const file = path.join(dir, 'run.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, 'second');
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['run.json']);
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'y')).rejects.toBeInstanceOf(InfrastructureError);
  });

  it('#23 defect 6: a write under a file (ENOTDIR) reports the write, not the failed cleanup', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    await writeFile(path.join(dir, 'run.json.orig'), 'x');
    const error = await writeFileAtomic(path.join(dir, 'run.json.orig', 'report.md'), 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).message).toBe(`cannot write ${path.join(dir, 'run.json.orig', 'report.md')}: a part of the path is a file, not a directory (ENOTDIR)`);
  });

  it('#23 defect 4: output files on /proc, /dev or that are FIFOs/directories are refused (exit 2) at once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    const fifo = path.join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    for (const [file, message] of [
      ['/proc/nonexistent/x.md', 'is on a special file system (proc)'],
      ['/dev/shm/x.md', 'is on a special file system (devfs)'],
      [fifo, 'exists and is a FIFO, not a regular file'],
      [dir, 'exists and is a directory, not a regular file'],
    ] as const) {
      const error = await writeOutputFile(file, 'x', '--markdown').catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message, file).toContain(message);
      const appended = await appendRegularFile(file, 'x', 'GITHUB_STEP_SUMMARY').catch((e: unknown) => e);
      expect(appended, file).toBeInstanceOf(ConfigError);
    }
    expect(Date.now() - started).toBeLessThan(2000);
    await writeOutputFile(path.join(dir, 'new', 'x.md'), 'one', '--markdown');
    await appendRegularFile(path.join(dir, 'new', 'x.md'), ' two', 'GITHUB_STEP_SUMMARY');
    expect(await readFile(path.join(dir, 'new', 'x.md'), 'utf8')).toBe('one two');
  });

  it('refuses --out naming an existing file as bad input (exit 2), not as a machine problem', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    await writeFile(path.join(dir, 'file'), 'x');
    const error = await ensureWritableDir(path.join(dir, 'file')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).message).toBe(`results directory ${path.join(dir, 'file')} exists and is not a directory`);
  });

  it('refuses /proc, /sys and /dev at once (exit 2) instead of hanging on them', async () => {
    for (const out of ['/proc/sys/x', '/sys/kernel/x', '/dev/x', '/proc']) {
      const started = Date.now();
      const error = await ensureWritableDir(out).catch((e: unknown) => e);
      expect(error, out).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message, out).toMatch(/is on a special file system \((proc|sysfs|devfs)\)/);
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('says "read-only file system" where mkdir -p only says ENOENT', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    const erofs = (code: string) => Object.assign(new Error(code), { code });
    // What a read-only mount does: mkdir -p of a missing path fails ENOENT, the parent is EROFS.
    const ops = {
      mkdir: async () => Promise.reject(erofs('ENOENT')),
      access: async () => Promise.reject(erofs('EROFS')),
    };
    const error = await ensureWritableDir(path.join(dir, 'a', 'b'), 0, ops).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as Error).message).toBe(`results directory ${path.join(dir, 'a', 'b')} is not writable: it is on a read-only file system`);
  });

  it('names a full disk in words when a write fails, and can still overwrite a file in place', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-fs-'));
    const file = path.join(dir, 'run.json');
    await writeFile(file, '0123456789');
    expect(await overwriteInPlace(file, 'abc')).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('abc');
    // Longer than the file: it would need new blocks, which a full disk does not have.
    expect(await overwriteInPlace(file, 'abcdefghij-longer')).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('abc');
  });
});
