/**
 * run.json figures that cannot be true are refused on read (exit 2, naming the field), so `report`
 * and `compare` never present them. Each case mutates one field of a consistent document.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { createHistogram, encodeHistogram } from '../../../src/samples/histogram.ts';
import { readRunDocument } from '../../../src/schema/io.ts';
import { crossCheckRun } from '../../../src/schema/run-checks.ts';
import type { RunDocument } from '../../../src/schema/run.ts';
import { MAX_RUN_FILE_BYTES } from '../../../src/util/bounded-read.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

function histogramOf(valueUs: number, count: number): string {
  const h = createHistogram();
  h.recordValueWithCount(valueUs, count);
  return encodeHistogram(h);
}

/** One target, one open-loop step: sent 100, completed 100, both histograms holding 100 values. */
function consistentDoc(): RunDocument {
  const p = percentiles(1000, 2000, 3000, 100);
  const step = makeStep({
    kind: 'rate',
    achievedRps: 20,
    sent: 100,
    uncorrected: p,
    corrected: p,
    histograms: { uncorrected: histogramOf(1000, 100), corrected: histogramOf(1000, 100), lateness: histogramOf(20, 100), intervalLog: null },
  });
  return makeDoc([makeTarget({ name: 'go-chi', configuration: 'default', steps: [step] })]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-checks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readBack(doc: unknown, name: string): Promise<unknown> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(doc));
  return readRunDocument(file).catch((error: unknown) => error);
}

describe('run.json cross-field checks', () => {
  it('accepts a consistent document', async () => {
    expect(crossCheckRun(consistentDoc())).toEqual([]);
    expect(await readBack(consistentDoc(), 'ok')).toEqual(consistentDoc());
  });

  const cases: Array<[string, (doc: RunDocument) => void, string]> = [
    ['completed = 10 × sent', (d) => void (d.targets[0]!.steps[0]!.counts.completed = 1000), 'targets[0].steps[0].counts.completed: 1000 is more than sent (100)'],
    ['more timeouts than sent', (d) => void (d.targets[0]!.steps[0]!.counts.timeouts = 101), 'targets[0].steps[0].counts.timeouts: 101 is more than sent (100)'],
    ['more non-2xx than completed', (d) => void (d.targets[0]!.steps[0]!.counts.non2xx = 150), 'targets[0].steps[0].counts.non2xx: 150 is more than completed (100)'],
    ['invalid base64 histogram', (d) => void (d.targets[0]!.steps[0]!.histograms.uncorrected = '!!!not base64!!!'), 'targets[0].steps[0].histograms.uncorrected: does not decode'],
    ['empty string histogram', (d) => void (d.targets[0]!.steps[0]!.histograms.corrected = ''), 'targets[0].steps[0].histograms.corrected: does not decode'],
    ['histogram count ≠ percentile count', (d) => void (d.targets[0]!.steps[0]!.histograms.uncorrected = histogramOf(1000, 99)), 'targets[0].steps[0].histograms.uncorrected: holds 99 values but latencyUs.uncorrected.count is 100'],
    ['histogram with more values than completed', (d) => {
      const step = d.targets[0]!.steps[0]!;
      step.histograms.corrected = histogramOf(1000, 500);
      step.latencyUs.corrected = percentiles(1000, 2000, 3000, 500);
    }, 'targets[0].steps[0].histograms.corrected: holds 500 values, more than completed (100)'],
    ['figures without a histogram', (d) => void (d.targets[0]!.steps[0]!.histograms.corrected = null), 'targets[0].steps[0].histograms.corrected: null but latencyUs.corrected has figures'],
    ['idle memory above peak', (d) => void (d.targets[0]!.memory = { idleBytes: 2e6, peakBytes: 1e6 }), 'targets[0].memory.idleBytes: 2000000 is more than peakBytes (1000000)'],
  ];
  it.each(cases)('%s → exit 2 naming the field', async (name, mutate, expected) => {
    const doc = consistentDoc();
    mutate(doc);
    const error = await readBack(doc, name.replace(/\W+/g, '-'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).message).toMatch(/figures contradict each other \(1 problem\)$/);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toContain(expected);
  });

  it('refuses a run.json over the size limit before parsing it', async () => {
    const file = path.join(dir, 'huge.json');
    await writeFile(file, Buffer.alloc(MAX_RUN_FILE_BYTES + 1, 0x20));
    const error = await readRunDocument(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${file} is larger than the 64 MiB limit`);
  });
});
