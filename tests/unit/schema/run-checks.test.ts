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
import { histogramFor, makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

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
    histograms: { uncorrected: histogramFor(p), corrected: histogramFor(p), lateness: histogramOf(20, 100), intervalLog: null },
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
      step.latencyUs.corrected = percentiles(1000, 2000, 3000, 500);
      step.histograms.corrected = histogramFor(step.latencyUs.corrected);
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

describe('#23 defect 8: contradictory figures and stored claims are exit 2, never a verdict', () => {
  const contradictions: Array<[string, (doc: RunDocument) => void, string]> = [
    ['p50 500 ms with p99 0.001 ms', (d) => {
      const c = d.targets[0]!.steps[0]!.latencyUs.corrected!;
      c.p50 = 500_000;
      c.p99 = 1;
    }, 'targets[0].steps[0].latencyUs.corrected.p90: 1500 is below p50 (500000); percentiles never fall'],
    ['a p999 and max beyond the histogram', (d) => {
      const u = d.targets[0]!.steps[0]!.latencyUs.uncorrected!;
      u.p999 = 13_497;
      u.max = 13_497;
    }, "targets[0].steps[0].latencyUs.uncorrected.p999: 13497 is outside the histogram's values (1000–4503 µs)"],
    ['every percentile scaled ×100 from its histogram', (d) => {
      const u = d.targets[0]!.steps[0]!.latencyUs.uncorrected!;
      for (const k of ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const) u[k] *= 100;
    }, "targets[0].steps[0].latencyUs.uncorrected.p50: 100000 is outside the histogram's values (1000–4503 µs)"],
    ['completed + timeouts above sent', (d) => void (d.targets[0]!.steps[0]!.counts.timeouts = 1), 'targets[0].steps[0].counts: completed (100) + timeouts (1) is more than sent (100)'],
    ['sent above intended', (d) => void (d.targets[0]!.steps[0]!.counts.intended = 99), 'targets[0].steps[0].counts.sent: 100 is more than intended (99)'],
    ['max throughput not the closed-loop step', (d) => {
      d.targets[0]!.steps.unshift(structuredClone({ ...d.targets[0]!.steps[0]!, kind: 'max', offeredRps: null }));
      d.targets[0]!.maxThroughputRps = 1e9;
    }, "targets[0].maxThroughputRps: 1000000000 is not the closed-loop step's achievedRps (20)"],
    ['a stored claim between 1e9 and −1e9', (d) => {
      d.claims![0]!.rule = { op: 'between', min: 1e9, max: -1e9 };
    }, 'claims[0].rule: min (1000000000) must be below max (-1000000000)'],
    ['duplicate stored claim ids', (d) => void (d.claims![1]!.id = d.claims![0]!.id), "claims[1].id: duplicate claim id"],
  ];
  it.each(contradictions)('%s → exit 2 naming the field', async (name, mutate, expected) => {
    const doc = consistentDoc();
    mutate(doc);
    const error = await readBack(doc, `c-${name.replace(/\W+/g, '-')}`);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).problems.join('\n')).toContain(expected);
  });
});
