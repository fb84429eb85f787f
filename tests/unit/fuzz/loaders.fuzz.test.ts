/**
 * Property-based fuzzing (fast-check) of the scenario, claims and run.json loaders: whatever the input
 * — arbitrary text, a valid file with bytes mutated, a valid document with a field replaced by any
 * value — the loader returns a valid result or throws a ConfigError with a message (exit 2). Never
 * another exception (a stack trace, exit 70). Fixed seeds and run counts keep each property fast and
 * repeatable; a failure prints the seed and the shrunk input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { parseClaimsFile } from '../../../src/analysis/claims-file.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { parseRunDocument } from '../../../src/schema/io.ts';
import { RunDocumentSchema } from '../../../src/schema/run.ts';
import { histogramFor, makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCENARIO = readFileSync(path.join(ROOT, 'scenarios', 'article.yaml'), 'utf8');
const CLAIMS = readFileSync(path.join(ROOT, 'scenarios', 'claims', 'article.yaml'), 'utf8');
const machine = { cpuCount: 4, memoryBytes: 8 * 1024 ** 3 };

/** Runs the loader; the property holds when it returns or throws a ConfigError with a message. */
function loadsOrConfigError(load: () => unknown): boolean {
  try {
    load();
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error; // fast-check reports it with the input
    expect(error.exitCode).toBe(2);
    expect(error.message.length).toBeGreaterThan(0);
    return true;
  }
}

/** Byte-level mutations of a text: replace, insert or delete a few slices. */
function mutated(text: string): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat({ max: text.length }),
    remove: fc.nat({ max: 8 }),
    insert: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('&a ', '*a', '<<: *a', '!!binary ', '{', ']', ':', '\n  - ', '\t', '"', '\u001b[2J', '\r\n', '%YAML 1.1\n', '---\n', '...\n', '? ', '!!js/function ')),
  });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let out = text;
    for (const e of edits) {
      const at = Math.min(e.at, out.length);
      out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
    }
    return out;
  });
}

/** A JSON-ish document with one value at a random path replaced by an arbitrary one. */
function withReplacedValue(doc: unknown): fc.Arbitrary<unknown> {
  const paths: Array<Array<string | number>> = [];
  const walk = (value: unknown, at: Array<string | number>) => {
    paths.push(at);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  walk(doc, []);
  const replacement = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(-1, 0, 1e308, -0, 2 ** 53 + 1, 0.5, '', 'HISTFAAAAB', '\u001b[31m', null, [], {}),
  );
  return fc.tuple(fc.constantFrom(...paths), replacement).map(([at, value]) => {
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    if (at.length === 0) return value;
    let node: Record<string | number, unknown> = copy;
    for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[at[at.length - 1]!] = value;
    return copy;
  });
}

const FAST = { seed: 20261127, numRuns: 200 } as const;

describe('scenario loader fuzz', () => {
  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => loadsOrConfigError(() => parseScenario(text, 'fuzz.yaml', machine))), FAST);
  });
  it('mutated article.yaml', () => {
    fc.assert(fc.property(mutated(SCENARIO), (text) => loadsOrConfigError(() => parseScenario(text, 'fuzz.yaml', machine))), FAST);
  });
  it('article.yaml with one value replaced', () => {
    const parsed = JSON.parse(JSON.stringify(parseScenario(SCENARIO, 'article.yaml', machine))) as unknown;
    fc.assert(fc.property(withReplacedValue(parsed), (doc) => loadsOrConfigError(() => parseScenario(stringify(doc), 'fuzz.yaml', machine))), FAST);
  });
  it('deep nesting and many aliases', () => {
    const hostile = fc.oneof(
      fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.integer({ min: 1, max: 5000 }).map((n) => `${'- '.repeat(n)}x`),
      fc.integer({ min: 1, max: 400 }).map((n) => `a: &a [1]\nb: [${Array.from({ length: n }, () => '*a').join(', ')}]\n`),
    );
    fc.assert(fc.property(hostile, (text) => loadsOrConfigError(() => parseScenario(text, 'fuzz.yaml', machine))), { ...FAST, numRuns: 60 });
  });
});

describe('claims loader fuzz', () => {
  it('mutated article claims', () => {
    fc.assert(fc.property(mutated(CLAIMS), (text) => loadsOrConfigError(() => parseClaimsFile(text, 'fuzz.yaml'))), { ...FAST, numRuns: 150 });
  });
});

describe('run.json loader fuzz', () => {
  const p = percentiles(1000, 2000, 3000, 100);
  const encoded = histogramFor(p);
  const doc = RunDocumentSchema.parse(
    makeDoc([
      makeTarget({
        name: 'go-chi',
        configuration: 'default',
        steps: [makeStep({ achievedRps: 20, sent: 100, uncorrected: p, corrected: p, histograms: { uncorrected: encoded, corrected: encoded, lateness: null, intervalLog: null } })],
      }),
    ]),
  );
  const text = JSON.stringify(doc);

  it('the base document loads', () => {
    expect(parseRunDocument(text, 'run.json')).toEqual(doc);
  });
  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (t) => loadsOrConfigError(() => parseRunDocument(t, 'run.json'))), FAST);
  });
  it('mutated JSON text', () => {
    fc.assert(fc.property(mutated(text), (t) => loadsOrConfigError(() => parseRunDocument(t, 'run.json'))), FAST);
  });
  it('one value replaced anywhere (histograms included)', () => {
    fc.assert(fc.property(withReplacedValue(doc), (d) => loadsOrConfigError(() => parseRunDocument(JSON.stringify(d) ?? 'undefined', 'run.json'))), { ...FAST, numRuns: 500 });
  });
  it('histogram strings mutated', () => {
    const mutatedHistogram = mutated(encoded).map((e) => {
      const copy = structuredClone(doc);
      copy.targets[0]!.steps[0]!.histograms.uncorrected = e;
      return JSON.stringify(copy);
    });
    fc.assert(fc.property(mutatedHistogram, (t) => loadsOrConfigError(() => parseRunDocument(t, 'run.json'))), { ...FAST, numRuns: 200 });
  });
});
