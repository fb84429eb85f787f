/** File helpers: atomic writes (temp file + rename) and an early writability check. */
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, rename, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';

/** Below this much free space a run refuses to start: a run.json with raw histograms takes a few MB. */
export const MIN_FREE_BYTES = 50 * 1024 * 1024;

/** Writes `data` so readers see the old file or the new one, never half of one. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new InfrastructureError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
      hint: 'check free disk space and permissions of the results directory (--out)',
    });
  }
}

/** Creates `dir` and checks it is writable with enough free space, before any measurement. */
export async function ensureWritableDir(dir: string, minFreeBytes: number = MIN_FREE_BYTES): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new InfrastructureError(`results directory ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
      hint: 'choose another directory with --out, or fix its permissions',
    });
  }
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < minFreeBytes) {
    throw new InfrastructureError(`only ${(free / 1048576).toFixed(1)} MiB free on the disk of ${dir}`, {
      hint: `free at least ${(minFreeBytes / 1048576).toFixed(0)} MiB or choose another --out`,
    });
  }
}
