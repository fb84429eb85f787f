import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContextTar } from '../../../src/targets/image/build-context.ts';
import { GENERATOR_BUILD, generatorImageTag } from '../../../src/targets/image/generator.ts';
import { baseImageArgs } from '../../../src/targets/image/dockerfile.ts';
import { loadTargetManifests, standInBases } from '../../../src/targets/manifest.ts';
import { PROJECT_ROOT } from '../../../src/util/project.ts';

describe('the generator image (docker/generator.Dockerfile)', () => {
  it('builds on the node base, which has an offline stand-in', async () => {
    const dockerfile = await readFile(path.join(PROJECT_ROOT, GENERATOR_BUILD.dockerfile), 'utf8');
    const bases = baseImageArgs(dockerfile);
    expect(bases).toEqual([{ arg: 'NODE_IMAGE', official: 'node:20-bookworm-slim', inFinalImage: true }]);
    expect(standInBases(await loadTargetManifests(PROJECT_ROOT))['node:20-bookworm-slim']).toBe('httpbench-base/node:20');
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toContain('src/cli/generator-agent.ts');
  });

  it('its build context holds the sources and lock file, never node_modules, results or .git', async () => {
    const { files } = await buildContextTar(PROJECT_ROOT);
    expect(files).toContain('src/cli/generator-agent.ts');
    expect(files).toContain('src/load/cluster/agent.ts');
    expect(files).toContain('package-lock.json');
    expect(files.some((f) => /^(node_modules|results|\.git|tests)\//.test(f))).toBe(false);
    expect(generatorImageTag('ci')).toBe('httpbench/generator:ci');
  });
});
