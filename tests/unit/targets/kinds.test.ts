import { describe, expect, it } from 'vitest';
import { isDockerTarget, isUrlTarget, kindInfo, targetKind } from '../../../src/targets/kinds.ts';

const configurations = [{ id: 'default', description: '', env: {} }];
const docker = { name: 'a', context: '.', dockerfile: 'docker/a.Dockerfile', configurations };
const url = { name: 'b', url: 'http://127.0.0.1:8080', configurations };

describe('target kinds', () => {
  it('tells a Docker target from a url: target, and only the Docker one needs the engine', () => {
    expect([targetKind(docker), targetKind(url)]).toEqual(['docker', 'url']);
    expect([isDockerTarget(docker), isDockerTarget(url), isUrlTarget(url), isUrlTarget(docker)]).toEqual([true, false, true, false]);
    expect([kindInfo(docker).needsDocker, kindInfo(url).needsDocker]).toEqual([true, false]);
  });
});
