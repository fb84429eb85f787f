/** File helpers: atomic writes (temp file + rename) and an early writability check. */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { access, constants, lstat, mkdir, open, realpath, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, InfrastructureError } from '../errors.ts';

/** Below this much free space a run refuses to start: a run.json with raw histograms takes a few MB. */
export const MIN_FREE_BYTES = 50 * 1024 * 1024;

/** Writes `data` so readers see the old file or the new one, never half of one. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // 'wx': the temp name is new; the target itself is never opened, so a FIFO there cannot block.
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, file);
  } catch (error) {
    // The cleanup's own failure (ENOTDIR when the directory is a file) must not hide why the write failed.
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new InfrastructureError(`cannot write ${file}: ${code ? `${explainCode(code)}${code === explainCode(code) ? '' : ` (${code})`}` : (error as Error).message}`, {
      cause: error,
      hint: 'check free disk space and permissions of the results directory (--out)',
    });
  }
}

/**
 * Overwrites an existing file in place with data no longer than it, for when the disk is full: the
 * atomic write needs room for a second copy, this one reuses the file's own blocks. Not atomic —
 * only for the last word on a run that is failing anyway. Returns false when the data does not fit.
 */
export async function overwriteInPlace(file: string, data: string): Promise<boolean> {
  const bytes = Buffer.from(data);
  const handle = await open(file, 'r+');
  try {
    if ((await handle.stat()).size < bytes.length) return false;
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.truncate(bytes.length);
    await handle.sync();
    return true;
  } finally {
    await handle.close();
  }
}

/**
 * Pseudo file systems that are not storage: writing results there is a mistake, and some of their
 * files block on open or write (`--out /proc/sys/x` used to hang). statfs f_type magic numbers.
 */
const SPECIAL_FS_TYPES: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1373, 'devfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x19800202, 'mqueue'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
]);
/** The same by path, for /dev (a tmpfs in containers, so its type alone does not tell). */
const SPECIAL_ROOTS: ReadonlyMap<string, string> = new Map([
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
  ['/dev', 'devfs'],
]);

/** The calls that can fail for reasons a test cannot easily arrange (a read-only mount): injectable. */
export interface DirOps {
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
  access(file: string, mode: number): Promise<void>;
}

/** Nearest ancestor of `p` (or `p` itself) that exists, resolved through symlinks. */
async function nearestExisting(p: string): Promise<string> {
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    try {
      return await realpath(dir);
    } catch (error) {
      if (dir === path.dirname(dir)) throw error;
    }
  }
}

/** Why a path cannot be written, in words: the errno alone ("ENOENT") tells a user nothing. */
function explainCode(code: string | undefined): string {
  switch (code) {
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    default:
      return code ?? 'error';
  }
}

/** The special file system `p` (or its nearest existing ancestor) is on, e.g. "proc"; undefined for storage. */
export async function specialFileSystem(p: string): Promise<string | undefined> {
  const anchor = await nearestExisting(p);
  const byPath = [...SPECIAL_ROOTS].find(([root]) => anchor === root || anchor.startsWith(`${root}/`))?.[1];
  if (byPath) return byPath;
  const anchorFs = await statfs(anchor).catch(() => null);
  return anchorFs ? SPECIAL_FS_TYPES.get(anchorFs.type) : undefined;
}

/** What a non-regular file is, in words (for "is not a regular file (a FIFO)"). */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

/**
 * Checks an output file given on the command line (`--junit`, `--markdown`, …) before anything is
 * written: a path on /proc, /sys or /dev, or an existing file that is not a regular one (a FIFO
 * would block the write forever, a directory cannot be replaced), is bad input (exit 2).
 */
export async function checkOutputFile(file: string, what: string): Promise<void> {
  const st = await stat(file).catch(() => null);
  if (st && !st.isFile()) {
    throw new ConfigError(`${what} ${file} exists and is ${fileKind(st)}, not a regular file`, { hint: `give ${what} a regular file (new or existing)` });
  }
  const special = await specialFileSystem(path.dirname(path.resolve(file)));
  if (special) {
    throw new ConfigError(`${what} ${file} is on a special file system (${special}), not on storage`, { hint: `give ${what} a file on a disk` });
  }
}

/** Writes text to an output file checked by checkOutputFile: atomically, creating its directory. */
export async function writeOutputFile(file: string, data: string, what: string): Promise<void> {
  await checkOutputFile(file, what);
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InfrastructureError(`cannot write ${what} output ${file}: ${explainCode(code)}`, { cause: error, hint: `choose a writable path for ${what}` });
  }
  await writeFileAtomic(file, data);
}

/**
 * Appends to a regular file (GITHUB_STEP_SUMMARY): opened without blocking and checked after
 * opening, so a FIFO or device named by the variable is refused at once instead of hanging.
 */
export async function appendRegularFile(file: string, data: string, what: string): Promise<void> {
  await checkOutputFile(file, what);
  const handle = await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK | constants.O_NOCTTY, 0o644).catch((error: NodeJS.ErrnoException) => {
    throw new InfrastructureError(`cannot append to ${what} ${file}: ${explainCode(error.code)}`, { cause: error, hint: `check the path ${what} names` });
  });
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ConfigError(`${what} ${file} is ${fileKind(st)}, not a regular file`, { hint: `give ${what} a regular file` });
    await handle.appendFile(data);
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` and checks it is writable with enough free space, before any measurement.
 * Bad input (an existing file, a pseudo file system) is a ConfigError (exit 2); a machine problem
 * (read-only, no permission, disk full) an InfrastructureError (exit 3) with the reason in words.
 */
export async function ensureWritableDir(dir: string, minFreeBytes: number = MIN_FREE_BYTES, ops: DirOps = { mkdir, access }): Promise<void> {
  const existing = await lstat(dir).catch(() => null);
  if (existing && !existing.isDirectory() && !(existing.isSymbolicLink() && (await stat(dir).catch(() => null))?.isDirectory())) {
    throw new ConfigError(`results directory ${dir} exists and is not a directory`, {
      hint: 'give --out a directory (new or existing), not a file',
    });
  }
  const special = await specialFileSystem(dir);
  if (special) {
    throw new ConfigError(`results directory ${dir} is on a special file system (${special}), not on storage`, {
      hint: 'choose a directory on a disk with --out',
    });
  }
  try {
    await ops.mkdir(dir, { recursive: true });
    await ops.access(dir, constants.W_OK);
  } catch (error) {
    let code = (error as NodeJS.ErrnoException).code;
    // mkdir -p reports ENOENT when it cannot create a parent; the real reason is on the nearest
    // existing ancestor (read-only, permission).
    if (code === 'ENOENT') {
      code = await ops.access(await nearestExisting(dir), constants.W_OK).then(
        () => code,
        (e: NodeJS.ErrnoException) => e.code ?? code,
      );
    }
    throw new InfrastructureError(`results directory ${dir} is not writable: ${explainCode(code)}`, {
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
