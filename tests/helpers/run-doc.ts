/** Shared by the tests that drive `httpbench run` as a process: read its run.json, poll for a state. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunDocumentSchema, type RunDocument } from '../../src/schema/run.ts';

/** run.json of a results directory, validated (a test must never read an invalid document as valid). */
export async function readDoc(dir: string): Promise<RunDocument> {
  return RunDocumentSchema.parse(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')));
}

/** Polls `probe` until it gives a truthy value (errors count as "not yet"); bounded by `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
