/**
 * The targets' own test suites (pytest for targets/fastapi, go vet + go test for targets/go-chi), run
 * through scripts/test-targets.sh so `npm test` covers them too. A failing target test fails here.
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';

const script = path.join(ROOT, 'scripts', 'test-targets.sh');

describe('targets’ own tests', { timeout: 600_000 }, () => {
  for (const target of ['fastapi', 'go-chi']) {
    it(`${target}: its suite passes`, async () => {
      const r = await execa('bash', [script, target], { reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
      // The suite really ran tests (not an empty collection).
      expect(r.all).toMatch(target === 'fastapi' ? /\d+ passed/ : /^ok\s/m);
    });
  }
});
