import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { loadClaimsFile } from '../../../src/analysis/claims-file.ts';
import { loadScenario, parseScenario } from '../../../src/scenario/load.ts';
import { buildImage } from '../../../src/targets/image/build.ts';
import type { DockerClient } from '../../../src/targets/engine/client.ts';
import { MAX_CONFIG_FILE_BYTES, readTextFileBounded } from '../../../src/util/bounded-read.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-bounded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).exitCode).toBe(2);
  return error as ConfigError;
}

describe('bounded reads', () => {
  it('reads a file up to the limit and refuses one byte more', async () => {
    const file = path.join(dir, 'edge.txt');
    await writeFile(file, 'x'.repeat(10));
    expect(await readTextFileBounded(file, 10, 'edge')).toBe('x'.repeat(10));
    expect((await caught(readTextFileBounded(file, 9, 'edge file'))).message).toBe('edge file is larger than the 9 bytes limit');
  });

  it('refuses a device that never ends without reading it', async () => {
    expect((await caught(readTextFileBounded('/dev/zero', 1024, '/dev/zero'))).message).toBe('/dev/zero is a character device, not a regular file');
  });

  it('#23 defect 4: refuses a FIFO (scenario, claims, any bounded read) at once instead of waiting for a writer', async () => {
    const fifo = path.join(dir, 'scenario.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect((await caught(readTextFileBounded(fifo, 1024, 'f'))).message).toBe('f is a FIFO, not a regular file');
    expect((await caught(loadScenario(fifo, { cpuCount: 2 }))).message).toBe(`scenario ${fifo} is a FIFO, not a regular file`);
    expect((await caught(loadClaimsFile(fifo))).message).toBe(`claims file ${fifo} is a FIFO, not a regular file`);
    expect((await caught(readTextFileBounded(dir, 1024, 'd'))).message).toBe('d is a directory, not a regular file');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads a /proc file, whose size says 0, up to its end', async () => {
    expect(await readTextFileBounded('/proc/self/stat', 4096, 'stat')).toMatch(/^\d+ \(/);
  });

  it('refuses scenario and claims files over 1 MiB with exit 2', async () => {
    const file = path.join(dir, 'big.yaml');
    await writeFile(file, `name: big\n# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    expect((await caught(loadScenario(file, { cpuCount: 2 }))).message).toBe(`scenario ${file} is larger than the 1 MiB limit`);
    expect((await caught(loadClaimsFile(file))).message).toBe(`claims file ${file} is larger than the 1 MiB limit`);
  });

  it('refuses a 50 MB scenario text by size before parsing it', () => {
    const text = `name: x\nlist: [${'1, '.repeat(25_000_000)}1]\n`;
    const t0 = performance.now();
    expect(() => parseScenario(text, 'big.yaml', { cpuCount: 2 })).toThrow('scenario big.yaml is larger than the 1 MiB limit');
    // Parsing 50 MB of YAML takes many seconds and gigabytes; a size check takes microseconds.
    expect(performance.now() - t0).toBeLessThan(100);
  });
});

describe('build context confined to the project', () => {
  it('refuses a context that is a symlink out of the project, before touching Docker', async () => {
    const project = path.join(dir, 'project');
    await mkdir(path.join(project, 'targets', 'real'), { recursive: true });
    await writeFile(path.join(project, 'targets', 'real', 'Dockerfile'), 'FROM scratch\n');
    await symlink('/etc', path.join(project, 'targets', 'etc'));
    const docker = new Proxy({}, { get: () => { throw new Error('Docker must not be used'); } }) as DockerClient;
    const error = await caught(
      buildImage(docker, { name: 'x', context: 'targets/etc', dockerfile: 'targets/real/Dockerfile', configurations: [] }, { projectRoot: project, standIns: {} }),
    );
    expect(error.message).toBe('build context targets/etc of target x is outside the project (/etc)');
  });

  it('#23 defect 4: refuses a FIFO as --ca-cert at once, before touching Docker', async () => {
    const project = path.join(dir, 'project-ca');
    await mkdir(path.join(project, 'targets', 'real'), { recursive: true });
    await writeFile(path.join(project, 'targets', 'real', 'Dockerfile'), 'FROM scratch\n');
    const fifo = path.join(dir, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const docker = new Proxy({}, { get: () => { throw new Error('Docker must not be used'); } }) as DockerClient;
    const started = Date.now();
    const error = await caught(buildImage(docker, { name: 'x', context: 'targets/real', dockerfile: 'targets/real/Dockerfile', configurations: [] }, { projectRoot: project, extraCaFile: fifo, standIns: {} }));
    expect(error.message).toBe(`extra CA file ${fifo} is a FIFO, not a regular file`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
