import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countHandlerLines } from '../../../src/run/source-lines.ts';
import type { Scenario } from '../../../src/scenario/schema.ts';
import type { TargetManifest } from '../../../src/targets/manifest.ts';

const root = mkdtempSync(path.join(tmpdir(), 'hb-lines-'));
const files: Record<string, string> = {
  'targets/py/app/main.py': '# comment\nimport x\n\nx.run()\n',
  'targets/js/src/app.js': '// comment\nconst a = 1;\n/* block */\nexport default a;\n',
  'targets/js/src/routes.js': 'export const b = 2;\n',
  'targets/rb/app.rb': 'puts 1\n',
  'other/handler.go': 'package main\n// c\nfunc f() {}\n',
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
  writeFileSync(path.join(root, name), text);
}

function manifest(name: string, language: string, handlerPaths: string[]): TargetManifest {
  return {
    name,
    description: '',
    language,
    handler: handlerPaths,
    handlerPaths,
    dir: `targets/${name}`,
    build: { dockerfile: `docker/${name}.Dockerfile`, context: '.' },
    bases: [],
    test: { command: 'true', tools: [] },
    stores: ['memory'],
    env: ['HOST', 'PORT'],
  };
}

const manifests = [
  manifest('py', 'python', ['targets/py/app/main.py']),
  manifest('js', 'javascript', ['targets/js/src/app.js', 'targets/js/src/routes.js']),
  manifest('rb', 'ruby', ['targets/rb/app.rb']),
];
const configurations = [{ id: 'default', description: '', env: {} }];

function scenarioWith(targets: Scenario['targets']): Scenario {
  return { targets } as Scenario;
}

describe('countHandlerLines', () => {
  it('counts each Docker target by the manifest of its Dockerfile, summing several files, whatever the scenario calls it', async () => {
    const source = await countHandlerLines(
      scenarioWith([
        { name: 'python-one', context: '.', dockerfile: 'docker/py.Dockerfile', configurations },
        { name: 'node', context: '.', dockerfile: './docker/js.Dockerfile', configurations },
      ]),
      manifests,
      root,
    );
    expect(source).toEqual({ handlerLines: { 'python-one': 2, node: 3 } });
  });

  it('records why a target is not counted instead of dropping it', async () => {
    const source = await countHandlerLines(
      scenarioWith([
        { name: 'rb', context: '.', dockerfile: 'docker/rb.Dockerfile', configurations },
        { name: 'mystery', context: '.', dockerfile: 'docker/none.Dockerfile', configurations },
        { name: 'svc', url: 'http://127.0.0.1:8080', configurations },
        { name: 'svc-md', url: 'http://127.0.0.1:8081', handler: 'README.md', configurations },
        { name: 'gone', url: 'http://127.0.0.1:8082', handler: 'other/missing.go', configurations },
      ]),
      manifests,
      root,
    );
    expect(source).toEqual({
      handlerLines: {},
      notCounted: {
        rb: "language 'ruby' (targets/rb/target.yaml) has no line counter (counted: python, go, javascript, typescript)",
        mystery: 'no target manifest builds from docker/none.Dockerfile and the scenario gives no handler:',
        svc: 'a url: target needs handler: in the scenario',
        'svc-md': 'no line counter for README.md (counted: python, go, javascript, typescript)',
        gone: 'cannot read other/missing.go',
      },
    });
  });

  it("a scenario's handler: wins over the manifest, its extension picking the language", async () => {
    const source = await countHandlerLines(
      scenarioWith([
        { name: 'py', context: '.', dockerfile: 'docker/py.Dockerfile', handler: 'other/handler.go', configurations },
        { name: 'svc', url: 'http://127.0.0.1:8080', handler: 'targets/js/src/app.js', configurations },
      ]),
      manifests,
      root,
    );
    expect(source).toEqual({ handlerLines: { py: 2, svc: 2 } });
  });
});
