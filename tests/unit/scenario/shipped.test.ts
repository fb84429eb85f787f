/** The scenarios and claims the project ships are valid and point at files that exist. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClaimsFile } from '../../../src/analysis/claims-file.ts';
import { countHandlerLines } from '../../../src/run/source-lines.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { configurationEnvProblems, loadTargetManifests } from '../../../src/targets/manifest.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const scenarios = readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));

describe('shipped scenarios', () => {
  it('include the default, the quick and the CI scenario', () => {
    expect(scenarios).toEqual(expect.arrayContaining(['article.yaml', 'smoke.yaml', 'ci.yaml']));
  });
  for (const file of scenarios) {
    it(`${file}: every target has a manifest that reads its configurations' env, and its handler is counted`, async () => {
      const scenario = parseScenario(readFileSync(path.join(root, 'scenarios', file), 'utf8'), file, { cpuCount: 2 });
      const manifests = await loadTargetManifests(root);
      expect(configurationEnvProblems(scenario.targets, manifests)).toEqual([]);
      const source = await countHandlerLines(scenario, manifests, root);
      expect(source?.notCounted).toBeUndefined();
      expect(Object.keys(source!.handlerLines).sort()).toEqual(scenario.targets.map((t) => t.name).sort());
    });

    it(`${file} is valid on a 2-CPU machine and its files exist`, () => {
      const scenario = parseScenario(readFileSync(path.join(root, 'scenarios', file), 'utf8'), file, { cpuCount: 2 });
      for (const t of scenario.targets) {
        if ('dockerfile' in t) {
          expect(existsSync(path.join(root, t.dockerfile)), t.dockerfile).toBe(true);
          expect(existsSync(path.join(root, t.context)), t.context).toBe(true);
        }
        if (t.handler) expect(existsSync(path.join(root, t.handler)), t.handler).toBe(true);
      }
      if (scenario.claims) {
        const claimsPath = path.resolve(root, 'scenarios', scenario.claims);
        const claims = parseClaimsFile(readFileSync(claimsPath, 'utf8'), claimsPath).claims;
        // Every claim names targets the scenario has (or the claim could never be judged).
        const names = new Set(scenario.targets.map((t) => t.name));
        for (const c of claims) {
          const m = c.metric as Record<string, unknown>;
          for (const key of ['target', 'numerator', 'denominator', 'fewer', 'more']) {
            if (typeof m[key] === 'string') expect(names.has(m[key] as string), `${c.id}.${key}`).toBe(true);
          }
        }
      }
    });
  }
});
