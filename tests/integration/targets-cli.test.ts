/** `httpbench targets`: the manifests as the shell scripts read them (tab-separated), and its errors. */
import { describe, expect, it } from 'vitest';
import { httpbench } from '../helpers/cli.ts';

describe('httpbench targets', () => {
  it('--tsv stand-ins: one line per stand-in image, for scripts/build-bases.sh', async () => {
    const r = await httpbench(['targets', '--tsv', 'stand-ins']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'httpbench-base/python:3.13-slim\tpython:3.13-slim\tdocker/bases/python-3.13.Dockerfile',
      'httpbench-base/node:20\tnode:20-bookworm-slim\tdocker/bases/node-20.Dockerfile',
      'httpbench-base/golang:1.24\tgolang:1.24-bookworm\tdocker/bases/golang-1.24.Dockerfile',
    ]);
  });

  it('--tsv tests: name, folder, postgres, tools and command of the targets asked for', async () => {
    const r = await httpbench(['targets', '--tsv', 'tests', 'fastify', 'go-chi']);
    expect(r.exitCode, r.all).toBe(0);
    const rows = r.stdout.split('\n').map((l) => l.split('\t'));
    expect(rows.map((row) => row.slice(0, 4))).toEqual([
      ['fastify', 'targets/fastify', 'no', 'node,npm'],
      ['go-chi', 'targets/go-chi', 'yes', 'go'],
    ]);
    expect(rows[0]![4]).toContain('npm test');
  });

  it('an unknown target is exit 2 naming the folders there are', async () => {
    const r = await httpbench(['targets', 'gin']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown target(s): gin');
    expect(r.stderr).toContain('targets/ holds: fastapi, fastify, go-chi');
  });
});
