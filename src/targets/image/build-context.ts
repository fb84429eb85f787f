/**
 * The Docker build context: the context directory filtered by its .dockerignore, packed as an
 * in-memory tar.
 *
 * Matching is @balena/dockerignore (a port of Docker's own matcher, moby/patternmatcher: last match
 * wins, `!` re-includes, `**` spans segments, a pattern matching a parent matches everything below);
 * the tar is tar-stream (PAX headers for paths beyond ustar's 100/155-byte fields). We walk the tree
 * ourselves instead of dockerode's `{context, src}` helper because that helper filters directories by
 * absolute path (an allow-list .dockerignore like ours prunes everything) and cannot add a file that is
 * not on disk — we add the user's extra CA without writing into their checkout. The context is a few
 * dozen small files, so a buffer is fine.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import tar from 'tar-stream';

// A CommonJS module whose types declare `export default`: under NodeNext the default import is the
// module object, and the factory is its `default` (the package sets both).
const ignore = dockerignore.default;

export class DockerIgnore {
  private readonly matcher: ReturnType<typeof ignore>;
  /** The `!` patterns, cleaned as Docker cleans them, for the directory-pruning rule. */
  private readonly exceptions: string[];

  constructor(source: string) {
    // Docker on Linux matches case-sensitively; the library's default is case-insensitive.
    this.matcher = ignore({ ignorecase: false }).add(source);
    this.exceptions = source
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.startsWith('!'))
      .map((line) => path.posix.normalize(line.slice(1).trim()).replace(/^\/+/, '').replace(/\/+$/, ''));
  }

  /** True when `relPath` (slash-separated, relative to the context root) is left out of the context. */
  ignores(relPath: string): boolean {
    return this.matcher.ignores(relPath);
  }

  /**
   * Whether the walk may skip an ignored directory without looking inside: Docker's own rule
   * (moby/pkg/archive): only when no `!` pattern starts with the directory's path.
   */
  canPrune(relDir: string): boolean {
    return !this.exceptions.some((p) => `${p}/`.startsWith(`${relDir}/`));
  }
}

export interface ContextEntry {
  /** Slash-separated path inside the context; directories end without a slash. */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtimeMs: number;
  /** File contents (empty for directories and symlinks). */
  data: Buffer;
  linkTarget?: string;
}

/** Every entry of `root` the .dockerignore keeps, in a stable (sorted) order. */
export async function listContext(root: string, dockerignore: DockerIgnore): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const names = (await readdir(path.join(root, relDir))).sort();
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(root, rel);
      const stat = await lstat(abs);
      const ignored = dockerignore.ignores(rel);
      if (stat.isDirectory()) {
        if (ignored && dockerignore.canPrune(rel)) continue;
        if (!ignored) entries.push({ name: rel, type: 'directory', mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs, data: Buffer.alloc(0) });
        await walk(rel);
      } else if (!ignored && stat.isFile()) {
        entries.push({ name: rel, type: 'file', mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs, data: await readFile(abs) });
      } else if (!ignored && stat.isSymbolicLink()) {
        entries.push({ name: rel, type: 'symlink', mode: 0o777, mtimeMs: stat.mtimeMs, data: Buffer.alloc(0), linkTarget: await readlink(abs) });
      }
    }
  };
  await walk('');
  return entries;
}

/** The entries as one tar archive (ustar, PAX headers where a name does not fit). */
export async function packTar(entries: readonly ContextEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (chunk: Buffer) => chunks.push(chunk));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const header: tar.Headers = { name: entry.type === 'directory' ? `${entry.name}/` : entry.name, mode: entry.mode, mtime: new Date(Math.floor(entry.mtimeMs / 1000) * 1000), uid: 0, gid: 0, type: entry.type };
    if (entry.type === 'symlink') header.linkname = entry.linkTarget ?? '';
    await new Promise<void>((resolve, reject) => {
      pack.entry(header, entry.type === 'file' ? entry.data : undefined, (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  return done;
}

/** Context of `root` per its .dockerignore, plus extra in-memory files (which replace same-named ones). */
export async function buildContextTar(root: string, extra: readonly ContextEntry[] = []): Promise<{ tar: Buffer; files: string[] }> {
  let ignoreSource = '';
  try {
    ignoreSource = await readFile(path.join(root, '.dockerignore'), 'utf8');
  } catch (error) {
    // No .dockerignore means "send everything", as docker does; any other read error is real.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const extraNames = new Set(extra.map((e) => e.name));
  const entries = [...(await listContext(root, new DockerIgnore(ignoreSource))).filter((e) => !extraNames.has(e.name)), ...extra];
  return { tar: await packTar(entries), files: entries.filter((e) => e.type === 'file').map((e) => e.name) };
}
