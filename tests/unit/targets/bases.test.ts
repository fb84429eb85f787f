import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../../src/errors.ts';
import { baseNotices, officialBasesOf, probeBase, registryProblem } from '../../../src/targets/image/bases.ts';
import type { DockerClient } from '../../../src/targets/engine/client.ts';
import { ROOT } from '../../helpers/cli.ts';

/** A Docker client with only the calls probeBase makes: local images and a registry that answers or not. */
function fakeDocker(local: string[], registry: 'up' | 'down' | 'hangs'): DockerClient {
  return {
    getImage: (name: string) => ({
      inspect: async () => {
        if (local.includes(name)) return { Id: `sha256:${name}`, Size: 1, Created: '', Config: { User: '', Labels: {} } };
        throw Object.assign(new Error('no such image'), { statusCode: 404 });
      },
      distribution: () =>
        registry === 'up'
          ? Promise.resolve({})
          : registry === 'down'
          ? Promise.reject(Object.assign(new Error('(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host'), { statusCode: 500 }))
          : new Promise(() => {}),
    }),
  } as unknown as DockerClient;
}

/** As the target manifests give them (manifest.ts standInBases). */
const STAND_INS = { 'python:3.13-slim': 'httpbench-base/python:3.13-slim', 'golang:1.24-bookworm': 'httpbench-base/golang:1.24' };

describe('probeBase', () => {
  it('prefers the official local image, then the stand-in, then the registry', async () => {
    expect(await probeBase(fakeDocker(['python:3.13-slim', 'httpbench-base/python:3.13-slim'], 'down'), 'python:3.13-slim', STAND_INS)).toEqual({ official: 'python:3.13-slim', source: { kind: 'official' } });
    expect(await probeBase(fakeDocker(['httpbench-base/python:3.13-slim'], 'up'), 'python:3.13-slim', STAND_INS)).toEqual({
      official: 'python:3.13-slim',
      source: { kind: 'stand-in', image: 'httpbench-base/python:3.13-slim' },
    });
    expect(await probeBase(fakeDocker([], 'up'), 'golang:1.24-bookworm', STAND_INS)).toEqual({ official: 'golang:1.24-bookworm', source: { kind: 'pullable' } });
  });

  it('is missing with the registry error, stripped of the HTTP envelope, when nothing answers', async () => {
    expect(await probeBase(fakeDocker([], 'down'), 'golang:1.24-bookworm', STAND_INS)).toEqual({
      official: 'golang:1.24-bookworm',
      source: { kind: 'missing', standIn: 'httpbench-base/golang:1.24', why: 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host' },
    });
  });

  it('gives up on a registry that hangs after the timeout', async () => {
    expect(await registryProblem(fakeDocker([], 'hangs'), 'python:3.13-slim', 20)).toBe('the registry did not answer within 0.02 s');
  });
});

describe('baseNotices', () => {
  it('says one line per stand-in fallback and nothing for official or pullable bases', () => {
    expect(
      baseNotices([
        { official: 'python:3.13-slim', source: { kind: 'stand-in', image: 'httpbench-base/python:3.13-slim' } },
        { official: 'golang:1.24-bookworm', source: { kind: 'pullable' } },
        { official: 'alpine:3', source: { kind: 'official' } },
      ]),
    ).toEqual(['notice: python:3.13-slim is not on this machine; building on the local stand-in httpbench-base/python:3.13-slim (the report marks sizes measured on it)']);
  });

  it('fails once, naming every missing base and `httpbench setup`', () => {
    const why = 'lookup registry-1.docker.io: no such host';
    try {
      baseNotices([
        { official: 'python:3.13-slim', source: { kind: 'missing', standIn: 'httpbench-base/python:3.13-slim', why } },
        { official: 'golang:1.24-bookworm', source: { kind: 'missing', standIn: 'httpbench-base/golang:1.24', why } },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InfrastructureError);
      expect((error as InfrastructureError).message).toBe(`base images python:3.13-slim, golang:1.24-bookworm are neither on this machine nor pullable (${why})`);
      expect((error as InfrastructureError).hint).toContain('npx httpbench setup');
    }
  });
});

describe('officialBasesOf', () => {
  it("reads the targets' Dockerfiles", async () => {
    const specs = [
      { name: 'fastapi', context: '.', dockerfile: 'docker/fastapi.Dockerfile' },
      { name: 'go-chi', context: '.', dockerfile: 'docker/go-chi.Dockerfile' },
    ];
    expect(await officialBasesOf(ROOT, specs as never)).toEqual(['python:3.13-slim', 'golang:1.24-bookworm']);
  });
});
