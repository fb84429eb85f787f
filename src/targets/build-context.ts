/**
 * The Docker build context: the repo root filtered by .dockerignore, packed as an in-memory tar.
 *
 * Written here instead of leaning on dockerode's `{context, src}` helper because that helper filters
 * directories by absolute path (so an allow-list .dockerignore like ours prunes everything) and it cannot
 * add a file that is not on disk — we add the user's extra CA without writing into their checkout.
 * The context is a few dozen small files, so a buffer is fine.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { InternalError } from '../errors.ts';

// ---------------------------------------------------------------------------------------------------
// .dockerignore, with the classic builder's semantics (moby/patternmatcher): patterns are evaluated in
// order, the last match wins, a `!` pattern re-includes, and a pattern matching a parent directory
// matches everything below it.

interface IgnorePattern {
  text: string;
  exclusion: boolean;
  regex: RegExp;
}

function cleanPattern(raw: string): string {
  let text = path.posix.normalize(raw.trim());
  text = text.replace(/^\/+/, '').replace(/\/+$/, '');
  return text === '.' ? '' : text;
}

function escapeRegex(char: string): string {
  return /[.+^${}()|\\/]/.test(char) ? `\\${char}` : char;
}

/** `*` = any run of non-`/`, `?` = one non-`/`, `**` = any number of segments, `[...]` = class. */
export function patternToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        re += '\\[';
      } else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      re += escapeRegex(pattern[i]!);
    } else {
      re += escapeRegex(c);
    }
  }
  return new RegExp(`^${re}$`);
}

export class DockerIgnore {
  private readonly patterns: IgnorePattern[];

  constructor(source: string) {
    this.patterns = [];
    for (const line of source.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const exclusion = trimmed.startsWith('!');
      const text = cleanPattern(exclusion ? trimmed.slice(1) : trimmed);
      if (text === '') continue;
      this.patterns.push({ text, exclusion, regex: patternToRegExp(text) });
    }
  }

  /** True when `relPath` (slash-separated, relative to the context root) is left out of the context. */
  ignores(relPath: string): boolean {
    const parts = relPath.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      // An include pattern cannot change an already-ignored path, nor an exception a kept one.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.regex.test(relPath);
      for (let i = 1; !match && i < parts.length; i++) match = pattern.regex.test(parts.slice(0, i).join('/'));
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * Whether the walk may skip an ignored directory: only when no `!` pattern could re-include
   * something below it (conservative: a wildcard before the directory name keeps the walk going).
   */
  canPrune(relDir: string): boolean {
    return !this.patterns.some((p) => {
      if (!p.exclusion) return false;
      const literal = p.text.split(/[*?[\\]/)[0]!;
      return literal.startsWith(`${relDir}/`) || literal === relDir || `${relDir}/`.startsWith(literal);
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Walk

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

/** Every file of `root` the .dockerignore keeps, in a stable (sorted) order. */
export async function listContext(root: string, ignore: DockerIgnore): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const names = (await readdir(path.join(root, relDir))).sort();
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(root, rel);
      const stat = await lstat(abs);
      const ignored = ignore.ignores(rel);
      if (stat.isDirectory()) {
        if (ignored && ignore.canPrune(rel)) continue;
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

// ---------------------------------------------------------------------------------------------------
// ustar writer (POSIX.1-1988): 512-byte header per entry, data padded to 512, two zero blocks at the end.

const BLOCK = 512;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new InternalError(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  writeString(header, offset, length, `${Math.floor(value).toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a long path into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a slash. */
function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new InternalError(`path too long for the build context tar: ${name}`, {
    hint: 'shorten the path or add it to .dockerignore',
  });
}

function tarHeader(entry: ContextEntry): Buffer {
  const header = Buffer.alloc(BLOCK);
  const { prefix, name } = splitName(entry.type === 'directory' ? `${entry.name}/` : entry.name);
  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, entry.mode);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, entry.type === 'file' ? entry.data.length : 0);
  writeOctal(header, 136, 12, entry.mtimeMs / 1000);
  header.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  header.write(entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2', 156, 'ascii');
  if (entry.linkTarget !== undefined) writeString(header, 157, 100, entry.linkTarget);
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  writeString(header, 345, 155, prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

export function packTar(entries: readonly ContextEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    chunks.push(tarHeader(entry));
    if (entry.type === 'file' && entry.data.length > 0) {
      chunks.push(entry.data);
      const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
      if (pad > 0) chunks.push(Buffer.alloc(pad));
    }
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
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
  return { tar: packTar(entries), files: entries.filter((e) => e.type === 'file').map((e) => e.name) };
}
