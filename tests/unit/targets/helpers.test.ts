import { describe, expect, it } from 'vitest';
import { expandEnv } from '../../../src/targets/docker.ts';
import { baseImageArgs } from '../../../src/targets/image/dockerfile.ts';
import { demuxDockerLogs } from '../../../src/targets/logs.ts';
import { startUrlTarget } from '../../../src/targets/url-target.ts';

function frame(stream: number, text: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}

describe('target helpers', () => {
  it('demultiplexes stdout and stderr frames in order', () => {
    expect(demuxDockerLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demuxDockerLogs(Buffer.from('plain tty text'))).toBe('plain tty text');
  });

  it('replaces ${cpus} in configuration env', () => {
    expect(expandEnv({ WORKERS: '${cpus}', X: 'a${cpus}b${cpus}' }, 2)).toEqual(['WORKERS=2', 'X=a2b2']);
  });

  it('reads the overridable base images before the first FROM', () => {
    const dockerfile = 'ARG PYTHON_IMAGE=python:3.13-slim\nARG OTHER=1\nFROM ${PYTHON_IMAGE} AS b\nARG LATE_IMAGE=x\n';
    expect(baseImageArgs(dockerfile)).toEqual([{ arg: 'PYTHON_IMAGE', official: 'python:3.13-slim', inFinalImage: true }]);
    // A builder-only base: the final stage is FROM scratch.
    const go = 'ARG GO_IMAGE=golang:1.24-bookworm\nFROM ${GO_IMAGE} AS builder\nRUN true\nFROM scratch\n';
    expect(baseImageArgs(go)).toEqual([{ arg: 'GO_IMAGE', official: 'golang:1.24-bookworm', inFinalImage: false }]);
  });

  it('url targets drop the trailing slash and have no container figures', async () => {
    const target = startUrlTarget({ name: 'ext', url: 'http://127.0.0.1:9000/', configurations: [] });
    expect(target.baseUrl).toBe('http://127.0.0.1:9000');
    expect([target.coldStartMs, target.idleMemoryBytes, target.limits, target.image, target.sampleResources()]).toEqual([null, null, null, null, null]);
    await target.stop();
  });
});
