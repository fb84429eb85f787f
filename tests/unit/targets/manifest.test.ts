import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { configurationEnvProblems, dockerSpecOf, loadTargetManifests, manifestForDockerfile, standInBases, standInRecipes } from '../../../src/targets/manifest.ts';

const repo = path.resolve(import.meta.dirname, '../../..');

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hb-manifest-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const goodManifest = [
  'name: demo',
  'language: ruby',
  'handler: [app.rb]',
  'build: { dockerfile: docker/demo.Dockerfile }',
  'bases: [{ arg: RUBY_IMAGE, official: "ruby:3.3-slim", standIn: { image: "httpbench-base/ruby:3.3", recipe: docker/bases/ruby.Dockerfile } }]',
  'test: { command: "bundle exec rspec", tools: [ruby] }',
  'stores: [memory]',
  'env: [HOST, PORT, USERS]',
].join('\n');
const demoDockerfile = 'ARG RUBY_IMAGE=ruby:3.3-slim\nFROM ${RUBY_IMAGE}\n';

describe('loadTargetManifests on this repository', () => {
  it('finds the three targets, with project-relative handler paths and their stand-ins', async () => {
    const manifests = await loadTargetManifests(repo);
    expect(manifests.map((m) => [m.name, m.language, m.handlerPaths])).toEqual([
      ['fastapi', 'python', ['targets/fastapi/app/main.py']],
      ['fastify', 'javascript', ['targets/fastify/src/app.js']],
      ['go-chi', 'go', ['targets/go-chi/handler.go']],
    ]);
    expect(standInBases(manifests)).toEqual({
      'python:3.13-slim': 'httpbench-base/python:3.13-slim',
      'node:20-bookworm-slim': 'httpbench-base/node:20',
      'golang:1.24-bookworm': 'httpbench-base/golang:1.24',
    });
    expect(manifests.find((m) => m.name === 'fastify')!.stores).toEqual(['memory']);
  });
});

describe('loadTargetManifests on a fixture project', () => {
  it('loads a manifest of any language, defaulting the build context to the project root', async () => {
    const root = project({
      'targets/demo/target.yaml': goodManifest,
      'targets/demo/app.rb': 'puts 1\n',
      'docker/demo.Dockerfile': demoDockerfile,
      'docker/bases/ruby.Dockerfile': 'FROM x\n',
    });
    const [demo] = await loadTargetManifests(root);
    expect(demo!.dir).toBe('targets/demo');
    expect(dockerSpecOf(demo!)).toEqual({ name: 'demo', context: '.', dockerfile: 'docker/demo.Dockerfile', configurations: [{ id: 'default', description: '', env: {} }] });
    expect(standInRecipes([demo!])).toEqual([{ image: 'httpbench-base/ruby:3.3', official: 'ruby:3.3-slim', recipe: 'docker/bases/ruby.Dockerfile' }]);
    expect(manifestForDockerfile([demo!], './docker/demo.Dockerfile')?.name).toBe('demo');
    expect(manifestForDockerfile([demo!], 'docker/other.Dockerfile')).toBeNull();
  });

  it('reports every problem of every manifest at once', async () => {
    const root = project({
      // copied folder, name not changed; handler and recipe missing; Dockerfile declares another base
      'targets/copy/target.yaml': goodManifest,
      'docker/demo.Dockerfile': 'ARG RUBY_IMAGE=ruby:3.4-slim\nFROM ${RUBY_IMAGE}\n',
      // schema problems: unknown key, bad language, no HOST/PORT, postgres only
      'targets/bad/target.yaml': [
        'name: bad',
        'language: Ruby',
        'handler: [../../etc/passwd]',
        'build: { dockerfile: /abs/Dockerfile }',
        'test: { command: x }',
        'stores: [postgres]',
        'env: [USERS]',
        'colour: blue',
      ].join('\n'),
      'targets/empty/README.md': '',
    });
    const error = await loadTargetManifests(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'targets/bad/target.yaml: language: language must be lowercase, e.g. python, go, javascript',
      'targets/bad/target.yaml: stores: every target implements the memory store',
      'targets/bad/target.yaml: env: env must list HOST and PORT (the harness sets them)',
      "targets/bad/target.yaml: (top level): unknown key 'colour' (check the spelling; targets/fastify/target.yaml shows every field)",
      "targets/copy/target.yaml: name: 'demo' differs from its folder 'copy'; rename one",
      'targets/copy/target.yaml: handler[0]: targets/copy/app.rb does not exist',
      'targets/copy/target.yaml: bases[0].standIn.recipe: docker/bases/ruby.Dockerfile does not exist',
      'targets/copy/target.yaml: bases: lists RUBY_IMAGE=ruby:3.3-slim but docker/demo.Dockerfile declares RUBY_IMAGE=ruby:3.4-slim (ARG X_IMAGE=… before the first FROM); make them agree',
      'targets/empty/target.yaml: missing; every folder under targets/ is a target and needs a manifest (copy targets/fastify/target.yaml)',
    ]);
  });

  it('refuses paths that leave the project', async () => {
    const root = project({
      'targets/demo/target.yaml': goodManifest.replace('handler: [app.rb]', 'handler: [../../../etc/passwd]').replace('docker/demo.Dockerfile', '/etc/Dockerfile'),
      'docker/bases/ruby.Dockerfile': 'FROM x\n',
    });
    const error = (await loadTargetManifests(root).catch((e: unknown) => e)) as ConfigError;
    expect(error.problems).toEqual([
      'targets/demo/target.yaml: build.dockerfile: "/etc/Dockerfile" is absolute; give a path relative to the project root',
      'targets/demo/target.yaml: handler[0]: "../etc/passwd" leaves the project root; keep it inside the project',
    ]);
  });

  it('a project without targets/ has no manifests', async () => {
    expect(await loadTargetManifests(project({ 'README.md': '' }))).toEqual([]);
  });
});

describe('configurationEnvProblems', () => {
  it("names each variable a target's manifest does not read", async () => {
    const manifests = await loadTargetManifests(repo);
    const targets: Parameters<typeof configurationEnvProblems>[0] = [
      { name: 'py', dockerfile: 'docker/fastapi.Dockerfile', configurations: [{ id: 'a', env: { WORKERS: '1', GOMAXPROCS: '1' } }] },
      { name: 'node', dockerfile: 'docker/fastify.Dockerfile', configurations: [{ id: 'a', env: { WORKERS: '2' } }, { id: 'b', env: { WORKER: '2' } }] },
      { name: 'elsewhere', dockerfile: 'docker/other.Dockerfile', configurations: [{ id: 'a', env: { ANYTHING: '1' } }] },
    ];
    expect(configurationEnvProblems(targets, manifests)).toEqual([
      'targets[0].configurations[0].env.GOMAXPROCS: fastapi does not read GOMAXPROCS (targets/fastapi/target.yaml lists HOST, PORT, USERS, STORE, DATABASE_URL, DB_POOL_SIZE, WORKERS, EXTRA_WORK_US, EXTRA_WAIT_US)',
      'targets[1].configurations[1].env.WORKER: fastify does not read WORKER (targets/fastify/target.yaml lists HOST, PORT, USERS, STORE, WORKERS, EXTRA_WORK_US, EXTRA_WAIT_US)',
    ]);
  });

  it('refuses a store the target does not implement (Fastify has memory only)', async () => {
    const manifests = await loadTargetManifests(repo);
    const targets: Parameters<typeof configurationEnvProblems>[0] = [
      { name: 'go', dockerfile: 'docker/go-chi.Dockerfile', configurations: [{ id: 'pg', env: {}, store: 'postgres' }] },
      { name: 'node', dockerfile: 'docker/fastify.Dockerfile', configurations: [{ id: 'pg', env: {}, store: 'postgres' }] },
    ];
    expect(configurationEnvProblems(targets, manifests)).toEqual(['targets[1].configurations[0].store: fastify has no postgres store (targets/fastify/target.yaml lists memory)']);
  });
});
