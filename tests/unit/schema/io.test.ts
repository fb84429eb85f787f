import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readRunDocument, writeRunDocument } from '../../../src/schema/io.ts';
import { ConfigError } from '../../../src/errors.ts';
import { histogramFor, makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

describe('run.json io', () => {
  it('round-trips through an atomic write, leaving no temp files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-io-'));
    try {
      // 1000 values, as the step's default percentiles count: the figures must agree to be read back.
      const histograms = { uncorrected: histogramFor(percentiles(1000)), corrected: null, lateness: null, intervalLog: null };
      const doc = makeDoc([makeTarget({ name: 'go-chi', configuration: 'all-cores', steps: [makeStep({ kind: 'max', achievedRps: 1234, histograms })] })]);
      await writeRunDocument(dir, doc);
      expect(await readdir(dir)).toEqual(['run.json']);
      expect(await readRunDocument(dir)).toEqual(doc);
      expect(await readRunDocument(path.join(dir, 'run.json'))).toEqual(doc);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file and the problems of a malformed run.json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-io-'));
    try {
      const file = path.join(dir, 'run.json');
      await writeFile(file, JSON.stringify({ ...makeDoc([]), status: 'done', unknownField: 1 }));
      const error = await readRunDocument(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(file);
      expect((error as ConfigError).exitCode).toBe(2);
      expect((error as ConfigError).problems.join('\n')).toContain('status');
      expect((error as ConfigError).problems.join('\n')).toContain("unknown key 'unknownField'");
      await writeFile(file, '{ truncated');
      await expect(readRunDocument(dir)).rejects.toThrow(/not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
