/**
 * Reading and writing run.json. Readers validate after reading, writers before writing, so an
 * invalid document never crosses the file boundary. Writes are atomic (temp file in the same
 * directory, then rename), so a reader never sees half a run.json even if the run is killed.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { RunDocumentSchema, SCHEMA_VERSION, type RunDocument } from './run.ts';
import { formatIssues } from '../util/issues.ts';
import { overwriteInPlace, writeFileAtomic } from '../util/fs.ts';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { checkTextSize, MAX_RUN_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.ts';
import { crossCheckRun } from './run-checks.ts';

export const RUN_FILE_NAME = 'run.json';

/**
 * The run.json a run directory or file argument names (absolute): DIR/run.json for a directory —
 * whatever DIR is called, `X.json/` included — else the file itself. The reports of a run go
 * beside this file, so `report` and `compare` agree on what the argument meant.
 */
export async function locateRunFile(pathOrDir: string): Promise<string> {
  const file = path.resolve(pathOrDir);
  try {
    return (await stat(file)).isDirectory() ? path.join(file, RUN_FILE_NAME) : file;
  } catch (error) {
    throw new ConfigError(`${pathOrDir}: no such file or directory`, { cause: error, hint: 'give a run directory or its run.json' });
  }
}

/** Reads a run directory (its run.json) or a run.json file; ConfigError naming the file on any problem. */
export async function readRunDocument(pathOrDir: string): Promise<RunDocument> {
  const file = await locateRunFile(pathOrDir);
  let text: string;
  try {
    text = await readTextFileBounded(file, MAX_RUN_FILE_BYTES, file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      cause: error,
      hint: 'give a run directory containing run.json, or the run.json itself',
    });
  }
  return parseRunDocument(text, file);
}

/** Pure: validates run.json text (`file` only names it in messages); ConfigError on any problem. */
export function parseRunDocument(text: string, file: string): RunDocument {
  checkTextSize(text, file, MAX_RUN_FILE_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`, { cause: error, hint: 'the file is truncated or not a run.json' });
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== SCHEMA_VERSION) {
    throw new ConfigError(`${file}: schemaVersion ${JSON.stringify(version)} is not the supported ${SCHEMA_VERSION}`, {
      hint: 'use the httpbench version that wrote this run, or re-run it',
    });
  }
  const parsed = RunDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues);
    throw new ConfigError(`${file}: does not match the run.json schema (${problems.length} problem${problems.length === 1 ? '' : 's'})`, {
      problems,
      hint: 'the file was edited or written by an incompatible version',
    });
  }
  return checkedRun(parsed.data, file);
}

/** The document if its figures agree with each other (crossCheckRun); ConfigError naming each field if not. */
export function checkedRun(doc: RunDocument, file: string): RunDocument {
  const problems = crossCheckRun(doc);
  if (problems.length === 0) return doc;
  throw new ConfigError(`${file}: figures contradict each other (${problems.length} problem${problems.length === 1 ? '' : 's'})`, {
    problems,
    hint: 'the file was edited or corrupted; re-run the benchmark or restore the original run.json',
  });
}

/** Validates and writes `<dir>/run.json` atomically (temp file + rename); returns the file path. */
export async function writeRunDocument(dir: string, doc: RunDocument): Promise<string> {
  const valid = RunDocumentSchema.parse(doc);
  const file = path.join(dir, RUN_FILE_NAME);
  await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`);
  return file;
}

export interface RunDocumentStoreIo {
  writeAtomic(file: string, data: string): Promise<void>;
  overwriteInPlace(file: string, data: string): Promise<boolean>;
}

/**
 * The run's run.json writer. Besides saving, it can leave a last valid document with a final status
 * when saving fails (disk full) or the process must exit at once (a second signal): a run.json left
 * at `running` would claim a run that is long over.
 */
export class RunDocumentStore {
  readonly file: string;
  /** The document last handed to save (the run mutates it; it holds the newest state). */
  private latest: RunDocument | null = null;
  /** Text of the last successful write. */
  private written: string | null = null;

  constructor(
    readonly dir: string,
    private readonly io: RunDocumentStoreIo = { writeAtomic: writeFileAtomic, overwriteInPlace },
  ) {
    this.file = path.join(dir, RUN_FILE_NAME);
  }

  /** True when the last save failed: the file is behind the run. */
  behind = false;

  async save(doc: RunDocument): Promise<void> {
    this.latest = doc;
    const text = `${JSON.stringify(RunDocumentSchema.parse(doc), null, 2)}\n`;
    this.behind = true;
    await this.io.writeAtomic(this.file, text);
    this.behind = false;
    this.written = text;
  }

  /** The newest state of the run (what the reports are rendered from), null before the first save. */
  current(): RunDocument | null {
    return this.latest;
  }

  /** The newest document with `status` (unless it already has a final one) and a finish time. */
  private finalDoc(base: RunDocument, status: 'failed' | 'interrupted', finishedAt: string): RunDocument {
    const doc = structuredClone(base);
    // Only called when the run did not end well, so a `completed` not yet backed by reports is replaced too.
    if (doc.status === 'running' || doc.status === 'completed') doc.status = status;
    doc.finishedAt ??= finishedAt;
    return RunDocumentSchema.parse(doc);
  }

  /**
   * Writes a final run.json after a failed save: the full document atomically if there is room,
   * else in place and compact (it reuses the old file's blocks), else the last written document
   * with the final status. Returns what it did; never throws.
   */
  async salvage(status: 'failed' | 'interrupted', finishedAt: string): Promise<'saved' | 'in place' | 'previous in place' | 'not written'> {
    if (!this.latest) return 'not written';
    try {
      const doc = this.finalDoc(this.latest, status, finishedAt);
      // The reports render from the final state, whatever reaches the disk.
      this.latest = doc;
      try {
        await this.io.writeAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`);
        return 'saved';
      } catch {
        // No room for a second copy: fall through to the in-place writes.
      }
      if (await this.io.overwriteInPlace(this.file, `${JSON.stringify(doc)}\n`).catch(() => false)) return 'in place';
      if (this.written) {
        const previous = this.finalDoc(JSON.parse(this.written) as RunDocument, status, finishedAt);
        if (await this.io.overwriteInPlace(this.file, `${JSON.stringify(previous)}\n`).catch(() => false)) return 'previous in place';
      }
    } catch {
      // Nothing more can be done; the caller says so.
    }
    return 'not written';
  }

  /** Synchronous final write for an exit that cannot wait (second signal). Best effort. */
  salvageSync(status: 'failed' | 'interrupted', finishedAt: string): boolean {
    if (!this.latest) return false;
    const tmp = `${this.file}.${process.pid}.final.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(this.finalDoc(this.latest, status, finishedAt), null, 2)}\n`);
      renameSync(tmp, this.file);
      return true;
    } catch {
      rmSync(tmp, { force: true });
      return false;
    }
  }
}
