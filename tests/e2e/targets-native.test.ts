/**
 * The targets' own test suites (each manifest's `test.command`: pytest for fastapi, go vet + go test
 * for go-chi, node --test for fastify), run through scripts/test-targets.sh so `npm test` covers them
 * too. A failing target test fails here; a new target folder is picked up without editing this file.
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadTargetManifests } from '../../src/targets/manifest.ts';
import { ROOT } from '../helpers/cli.ts';

const script = path.join(ROOT, 'scripts', 'test-targets.sh');
const manifests = await loadTargetManifests(ROOT);

/** A closing line that says tests ran and passed: pytest, go test, node's test runner. */
const RAN_TESTS = /^\d+ passed|^ok\s|^# pass [1-9]/m;

describe('targets’ own tests', { timeout: 600_000 }, () => {
  it('covers every target folder', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(3);
  });
  for (const { name } of manifests) {
    it(`${name}: its suite passes`, async () => {
      const r = await execa('bash', [script, name], { reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
      // The suite really ran tests (not an empty collection).
      expect(r.all).toMatch(RAN_TESTS);
    });
  }
});
