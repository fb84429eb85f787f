/**
 * Issue 12: a full disk must leave a valid run.json with status `failed` (it used to stay
 * `running`), and a forced exit a final status too. The writer is injected to fail like ENOSPC.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../../src/errors.ts';
import { RunDocumentStore, type RunDocumentStoreIo } from '../../../src/schema/io.ts';
import { RunDocumentSchema, type RunDocument } from '../../../src/schema/run.ts';
import { overwriteInPlace, writeFileAtomic } from '../../../src/util/fs.ts';
import { makeDoc, makeStep, makeTarget } from '../../helpers/sample-run.ts';

/** Real file writes until `full()`: then every atomic write fails with ENOSPC, as on a full disk. */
function fillingDisk(): RunDocumentStoreIo & { full(): void } {
  let isFull = false;
  return {
    full: () => void (isFull = true),
    writeAtomic: async (file, data) => {
      if (isFull) throw new InfrastructureError(`cannot write ${file}: the disk is full (ENOSPC)`, { cause: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }) });
      await writeFileAtomic(file, data);
    },
    overwriteInPlace,
  };
}

function runningDoc(): RunDocument {
  const doc = makeDoc([makeTarget({ name: 'fastapi', configuration: '1-worker', steps: [makeStep({ kind: 'max', achievedRps: 100 })] })]);
  doc.status = 'running';
  doc.finishedAt = null;
  return doc;
}

const readStored = async (file: string) => RunDocumentSchema.parse(JSON.parse(await readFile(file, 'utf8')));

describe('RunDocumentStore on a full disk', () => {
  it('finalises run.json as failed in place, with the steps it has', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-store-'));
    const io = fillingDisk();
    const store = new RunDocumentStore(dir, io);
    const doc = runningDoc();
    await store.save(doc);
    io.full();
    doc.targets[0]!.steps.push(makeStep({ offeredRps: 50, achievedRps: 50 }));
    await expect(store.save(doc)).rejects.toThrow(/disk is full/);
    expect(store.behind).toBe(true);
    expect(await store.salvage('failed', '2026-01-01T00:00:00.000Z')).toBe('in place');
    const stored = await readStored(store.file);
    expect(stored.status).toBe('failed');
    expect(stored.finishedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(stored.targets[0]!.steps).toHaveLength(2);
    expect(store.current()!.status).toBe('failed');
  });

  it('falls back to the last written document when the newest does not fit', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-store-'));
    const io = fillingDisk();
    const store = new RunDocumentStore(dir, io);
    const doc = runningDoc();
    await store.save(doc);
    io.full();
    // Far more than the file's blocks hold: only the previous state can be rewritten in place.
    for (let i = 0; i < 40; i++) doc.targets[0]!.steps.push(makeStep({ offeredRps: 50 + i, achievedRps: 50, notes: ['x'.repeat(400)] }));
    await expect(store.save(doc)).rejects.toThrow();
    expect(await store.salvage('failed', '2026-01-01T00:00:00.000Z')).toBe('previous in place');
    const stored = await readStored(store.file);
    expect(stored.status).toBe('failed');
    expect(stored.targets[0]!.steps).toHaveLength(1);
  });

  it('on a forced exit writes the final status synchronously', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-store-'));
    const store = new RunDocumentStore(dir);
    const doc = runningDoc();
    await store.save(doc);
    expect(store.salvageSync('interrupted', '2026-01-01T00:00:00.000Z')).toBe(true);
    expect((await readStored(store.file)).status).toBe('interrupted');
    // A completed run ended by the forced exit is not reported completed with exit 143.
    doc.status = 'completed';
    await store.save(doc);
    store.salvageSync('interrupted', '2026-01-01T00:00:00.000Z');
    expect((await readStored(store.file)).status).toBe('interrupted');
    await writeFile(path.join(dir, 'unrelated'), '');
  });
});
