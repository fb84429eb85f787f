import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { verdictsJsonSchema, VerdictsDocumentSchema } from '../../../src/schema/verdicts.ts';
import { renderReports } from '../../../src/report/index.ts';
import { ThresholdSchema } from '../../../src/scenario/schema.ts';
import { sampleRun } from '../../helpers/sample-run.ts';

function withThresholds() {
  const doc = sampleRun();
  doc.scenario.thresholds = [
    ThresholdSchema.parse({ target: 'go-chi', metric: 'p99Ms', atRps: 10000, op: '<', value: 2 }),
    ThresholdSchema.parse({ name: 'python max', target: 'fastapi', metric: 'maxRps', op: '>', value: 50000 }),
    ThresholdSchema.parse({ target: 'go-chi', configuration: 'all-cores', metric: 'maxRps', op: '>', value: 60000 }),
  ];
  return doc;
}

describe('verdicts.json JSON Schema', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(verdictsJsonSchema());
  const text = renderReports(withThresholds(), { renderedAt: '2026-05-01T11:00:00.000Z' })['verdicts.json'];
  const json = JSON.parse(text);

  it('accepts the rendered verdicts.json of the sample run, with claims and every threshold status', () => {
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.schemaVersion).toBe(2);
    expect(json.claims).toHaveLength(sampleRun().claims!.length);
    expect(json.thresholds.map((t: { status: string }) => t.status)).toEqual(['pass', 'fail', 'not-measured']);
    expect(json.summary.thresholds).toEqual({ pass: 1, fail: 1, notMeasured: 1 });
    // The zod schema reads back exactly what was written.
    expect(VerdictsDocumentSchema.parse(json)).toEqual(json);
  });

  it('rejects an unknown field, at the top and inside a per-configuration verdict', () => {
    expect(validate({ ...json, extra: 1 })).toBe(false);
    const deep = structuredClone(json);
    deep.claims[0].byConfiguration[0].confidence = 0.9;
    expect(validate(deep)).toBe(false);
    expect(validate.errors?.some((e: { keyword: string }) => e.keyword === 'additionalProperties')).toBe(true);
  });

  it('carries no render time: re-renders are byte-identical', () => {
    expect(renderReports(withThresholds(), { renderedAt: '2030-01-01T00:00:00.000Z' })['verdicts.json']).toBe(text);
  });
});
