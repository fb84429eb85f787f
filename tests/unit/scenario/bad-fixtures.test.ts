import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { parseScenario } from '../../../src/scenario/load.ts';

const dir = path.resolve(import.meta.dirname, '../../fixtures/bad');
const machine = { cpuCount: 2 };

describe('bad scenario corpus (tests/fixtures/bad): one message per problem, with its path', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!.trim());
    it(`${file} → ${expected.join(' | ')}`, () => {
      expect(expected.length).toBeGreaterThan(0);
      let caught: unknown;
      try {
        parseScenario(text, file, machine);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const error = caught as ConfigError;
      expect(error.exitCode).toBe(2);
      const all = [error.message, ...error.problems].join('\n');
      for (const e of expected) expect(all).toContain(e);
    });
  }
});
