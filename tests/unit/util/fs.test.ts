import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../../src/errors.ts';
import { ensureWritableDir, writeFileAtomic } from '../../../src/util/fs.ts';

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
});
