/**
 * README "Add a target", checked: a fourth target is a copied folder with its manifest edited (and a
 * Dockerfile and scenario entry beside it); the harness finds it through the manifests alone, with no
 * change under src/. Done on a throwaway copy of the project's targets/fastify, so the repository's
 * own target list is untouched.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRuns } from '../../../src/plan/plan.ts';
import { countHandlerLines } from '../../../src/run/source-lines.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { resolveScenario } from '../../../src/scenario/resolve.ts';
import { isDockerTarget } from '../../../src/scenario/schema.ts';
import { officialBasesOf } from '../../../src/targets/image/bases.ts';
import { configurationEnvProblems, loadTargetManifests, standInBases, standInRecipes } from '../../../src/targets/manifest.ts';

const repo = path.resolve(import.meta.dirname, '../../..');

/** A project with targets/fastify as shipped and targets/<name> copied from it, as the README says. */
function projectWithCopy(name: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hb-add-target-'));
  const copy = (from: string, to = from) => cpSync(path.join(repo, from), path.join(root, to), { recursive: true, filter: (src) => !src.includes('node_modules') });
  copy('targets/fastify');
  copy('docker/fastify.Dockerfile');
  copy('docker/bases/node-20.Dockerfile');
  // 1. Copy the folder.
  copy('targets/fastify', `targets/${name}`);
  // 2. Its Dockerfile: Fastify's, copying from the new folder.
  const dockerfile = readFileSync(path.join(repo, 'docker/fastify.Dockerfile'), 'utf8').replaceAll('targets/fastify/', `targets/${name}/`);
  mkdirSync(path.join(root, 'docker'), { recursive: true });
  writeFileSync(path.join(root, `docker/${name}.Dockerfile`), dockerfile);
  // 3. Edit the manifest: its name and its Dockerfile.
  const manifest = path.join(root, `targets/${name}/target.yaml`);
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^name: fastify$/m, `name: ${name}`).replace('docker/fastify.Dockerfile', `docker/${name}.Dockerfile`));
  return root;
}

// 4. Add it to a scenario: Fastify's block with the new name and Dockerfile.
const scenarioText = (name: string) => `
name: four
targets:
  - name: fastify
    context: .
    dockerfile: docker/fastify.Dockerfile
    configurations:
      - { id: 1-process, env: { WORKERS: "1" } }
  - name: ${name}
    context: .
    dockerfile: docker/${name}.Dockerfile
    configurations:
      - { id: 1-process, env: { WORKERS: "1" } }
      - { id: n-workers, env: { WORKERS: "\${cpus}" } }
load: { steps: { rates: [100] } }
`;

describe('a target added by copying a folder', () => {
  it('is found, checked, line-counted, planned and built from the manifests with no code change', async () => {
    const root = projectWithCopy('fastify-copy');
    const manifests = await loadTargetManifests(root);
    expect(manifests.map((m) => [m.name, m.language, m.handlerPaths, m.build.dockerfile])).toEqual([
      ['fastify', 'javascript', ['targets/fastify/src/app.js'], 'docker/fastify.Dockerfile'],
      ['fastify-copy', 'javascript', ['targets/fastify-copy/src/app.js'], 'docker/fastify-copy.Dockerfile'],
    ]);
    // Both share the node stand-in, which scripts/build-bases.sh builds once.
    expect(standInBases(manifests)).toEqual({ 'node:20-bookworm-slim': 'httpbench-base/node:20' });
    expect(standInRecipes(manifests)).toHaveLength(1);

    const scenario = parseScenario(scenarioText('fastify-copy'), 'four.yaml', { cpuCount: 4 });
    expect(configurationEnvProblems(scenario.targets, manifests)).toEqual([]);
    // Its handler is counted in its manifest's language: the same file, so the same lines as Fastify's.
    const source = await countHandlerLines(scenario, manifests, root);
    expect(source?.notCounted).toBeUndefined();
    expect(source!.handlerLines['fastify-copy']).toBe(source!.handlerLines.fastify);
    expect(source!.handlerLines.fastify).toBeGreaterThan(10);
    // Its Dockerfile's base is probed like every other (stand-in fallback offline).
    expect(await officialBasesOf(root, scenario.targets.filter(isDockerTarget))).toEqual(['node:20-bookworm-slim']);
    const runs = planRuns(resolveScenario(scenario, { targetHostCpuCount: 4, generatorCpuCount: 2 }));
    expect(runs.map((r) => `${r.spec.name}/${r.configuration.id} ${r.env.WORKERS}`)).toEqual(['fastify/1-process 1', 'fastify-copy/1-process 1', 'fastify-copy/n-workers 2']);
  });

  it('is refused, every problem at once, when the copy keeps the old name or sets a variable it does not read', async () => {
    const root = projectWithCopy('fastify-copy');
    const manifest = path.join(root, 'targets/fastify-copy/target.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^name: fastify-copy$/m, 'name: fastify'));
    await expect(loadTargetManifests(root)).rejects.toMatchObject({ problems: ["targets/fastify-copy/target.yaml: name: 'fastify' differs from its folder 'fastify-copy'; rename one"] });

    const fixed = projectWithCopy('fastify-copy');
    const scenario = parseScenario(scenarioText('fastify-copy').replace('WORKERS: "1" } }\n      - { id: n-workers', 'GOMAXPROCS: "1" } }\n      - { id: n-workers'), 'four.yaml', { cpuCount: 4 });
    expect(configurationEnvProblems(scenario.targets, await loadTargetManifests(fixed))).toEqual([
      'targets[1].configurations[0].env.GOMAXPROCS: fastify-copy does not read GOMAXPROCS (targets/fastify-copy/target.yaml lists HOST, PORT, USERS, STORE, WORKERS, EXTRA_WORK_US, EXTRA_WAIT_US)',
    ]);
  });
});
