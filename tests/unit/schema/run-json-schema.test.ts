import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runJsonSchema } from '../../../src/schema/run.ts';
import { sampleRun } from '../../helpers/sample-run.ts';

describe('run.json JSON Schema', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(runJsonSchema());
  const doc = JSON.parse(JSON.stringify(sampleRun()));

  it('accepts the sample run', () => {
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects an unknown field, at the top and deep inside a step', () => {
    expect(validate({ ...doc, extra: 1 })).toBe(false);
    const deep = structuredClone(doc);
    deep.targets[0].steps[0].latencyUs.uncorrected.p98 = 5;
    expect(validate(deep)).toBe(false);
    expect(validate.errors?.some((e: { keyword: string }) => e.keyword === 'additionalProperties')).toBe(true);
  });
});
