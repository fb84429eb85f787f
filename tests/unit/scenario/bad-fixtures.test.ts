import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { parseClaimsFile } from '../../../src/analysis/claims-file.ts';

const dir = path.resolve(import.meta.dirname, '../../fixtures/bad');
const machine = { cpuCount: 2, memoryBytes: 4096 * 1024 * 1024 };

const corpora: Array<[string, string, (text: string, file: string) => unknown]> = [
  ['scenario', dir, (text, file) => parseScenario(text, file, machine)],
  ['claims', path.join(dir, 'claims'), (text, file) => parseClaimsFile(text, file)],
];

describe.each(corpora)('bad %s corpus (tests/fixtures/bad): one message per problem, with its path', (_kind, folder, parse) => {
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(path.join(folder, file), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!.trim());
    it(`${file} → ${expected.join(' | ')}`, () => {
      expect(expected.length).toBeGreaterThan(0);
      let caught: unknown;
      try {
        parse(text, file);
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
