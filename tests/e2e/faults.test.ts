/**
 * Faults injected into real runs (issue #7): a target killed mid-step, a target over its memory limit,
 * a build that fails, a target that never answers, SIGTERM during start-up, no Docker engine. After
 * each: the right exit code, a message with the cause, a valid run.json, and no harness container left.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_LABEL } from '../../src/targets/types.ts';
import { httpbench } from '../helpers/cli.ts';
import { harnessContainers } from '../helpers/docker.ts';
import { readDoc, waitFor } from '../helpers/run-doc.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-faults-'));
  // The fixtures build on the target images; cached after the first build.
  const built = await httpbench(['build', '--scenario', 'scenarios/smoke.yaml'], { timeoutMs: 600_000 });
  expect(built.exitCode, built.all).toBe(0);
}, 600_000);
afterEach(async () => {
  expect(await harnessContainers()).toEqual([]);
});

const fastapi = '{ name: fastapi, context: ., dockerfile: docker/fastapi.Dockerfile, configurations: [{ id: one, env: { WORKERS: "1" } }] }';
const goChi = '{ name: go-chi, context: ., dockerfile: docker/go-chi.Dockerfile, configurations: [{ id: one, env: { GOMAXPROCS: "1" } }] }';

async function scenarioFile(name: string, targets: string[], opts: { memoryMiB?: number; durationS?: number; rates?: number[]; startupTimeoutS?: number } = {}): Promise<string> {
  const file = path.join(tmp, `${name}.yaml`);
  await writeFile(
    file,
    `name: ${name}
targets:
${targets.map((t) => `  - ${t}`).join('\n')}
resources: { cpus: 1, memoryMiB: ${opts.memoryMiB ?? 256} }
load:
  warmupS: 0.5
  connections: 8
  max: { durationS: 1, connections: 8 }
  steps: { rates: [${(opts.rates ?? [100, 200]).join(', ')}], durationS: ${opts.durationS ?? 1} }
  knee: { refineSteps: 0 }
startupTimeoutS: ${opts.startupTimeoutS ?? 60}
`,
  );
  return file;
}

describe('faults against real containers', { timeout: 600_000 }, () => {
  it('a target killed mid-step is failed with its exit code; the other target still runs', async () => {
    const file = await scenarioFile('killed', [fastapi, goChi], { durationS: 3, rates: [100, 200, 300] });
    const out = path.join(tmp, 'killed');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000 });
    await waitFor('fastapi rate step', async () => ((await readDoc(out)).targets[0]?.steps.length ?? 0) >= 2);
    const ids = (await execa('docker', ['ps', '-q', '--filter', `label=${HARNESS_LABEL}`, '--filter', 'label=io.httpbench.target=fastapi'])).stdout.split('\n').filter(Boolean);
    expect(ids).toHaveLength(1);
    await execa('docker', ['kill', '--signal', 'KILL', ids[0]!]);
    const r = await child;
    expect(r.exitCode, r.all).toBe(3);
    const doc = await readDoc(out);
    expect(doc.status).toBe('failed');
    const [f, g] = doc.targets;
    expect(f!.status).toBe('failed');
    expect(f!.reason).toMatch(/exited with code 137|connection|ECONNREFUSED|not running/);
    expect(f!.steps.length).toBeGreaterThanOrEqual(2); // completed steps are kept
    expect(g!.status).toBe('completed');
  });

  it('a target over its memory limit is failed as OOMKilled', async () => {
    // 4 uvicorn workers cannot fit in 48 MiB: the kernel kills one (or the container) during start-up or load.
    const hungry = fastapi.replace('WORKERS: "1"', 'WORKERS: "4"');
    const file = await scenarioFile('oom', [hungry, goChi], { memoryMiB: 48, startupTimeoutS: 20 });
    const out = path.join(tmp, 'oom');
    const r = await httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000 });
    expect(r.exitCode, r.all).toBe(3);
    const doc = await readDoc(out);
    expect(doc.targets[0]!.status).toBe('failed');
    expect(doc.targets[0]!.reason).toMatch(/OOM|memory/i);
    expect(doc.targets[1]!.status).toBe('completed');
  });

  it('a failing build shows the log tail and the Dockerfile path, exit 3', async () => {
    const broken = '{ name: broken, context: tests/fixtures/docker, dockerfile: tests/fixtures/docker/broken.Dockerfile }';
    const file = await scenarioFile('broken', [broken]);
    const out = path.join(tmp, 'broken');
    const r = await httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('tests/fixtures/docker/broken.Dockerfile');
    expect(r.stderr).toMatch(/does-not-exist/);
    expect((await readDoc(out)).targets[0]!.status).toBe('failed');
  });

  it('a target that never answers times out with its logs in the error', async () => {
    const silent = '{ name: silent, context: tests/fixtures/docker, dockerfile: tests/fixtures/docker/silent.Dockerfile }';
    const file = await scenarioFile('silent', [silent], { startupTimeoutS: 3 });
    const out = path.join(tmp, 'silent');
    const r = await httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000 });
    expect(r.exitCode).toBe(3);
    const doc = await readDoc(out);
    expect(doc.targets[0]!.status).toBe('failed');
    expect(doc.targets[0]!.reason).toMatch(/3 s/);
    expect(doc.targets[0]!.reason).toContain('silent target: listening on nothing');
  });

  it('SIGTERM during start-up removes the container and exits 143 with an interrupted run.json', async () => {
    const file = await scenarioFile('sigterm', [fastapi]);
    const out = path.join(tmp, 'sigterm');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000 });
    await waitFor('the target container', async () => (await harnessContainers()).length > 0);
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, r.all).toBe(143);
    expect((await readDoc(out)).status).toBe('interrupted');
  });

  it('SIGTERM during an image build ends the run promptly with an interrupted run.json', async () => {
    const slow = '{ name: slow, context: tests/fixtures/docker, dockerfile: tests/fixtures/docker/slow.Dockerfile }';
    const file = await scenarioFile('sigterm-build', [slow]);
    const out = path.join(tmp, 'sigterm-build');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000 });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor('the slow build step', async () => stderr.includes('RUN sleep 60'));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, r.all).toBe(143);
    expect(Date.now() - signalledAt).toBeLessThan(15_000); // not the 60 s the build would take
    expect((await readDoc(out)).status).toBe('interrupted');
  });

  it('a Docker engine lost mid-run is one clear message with a hint, exit 3; what was measured is kept', async () => {
    // The harness talks to Docker through a socket proxy that the test cuts mid-step: to the harness
    // the engine is gone, while the real engine keeps the container for `httpbench clean` to remove.
    const proxyPath = path.join(tmp, 'docker-proxy.sock');
    const piped = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect('/var/run/docker.sock');
      for (const s of [client, upstream]) {
        piped.add(s);
        s.on('close', () => piped.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(proxyPath, resolve));
    const file = await scenarioFile('lost-docker', [goChi], { durationS: 3, rates: [100, 200, 300] });
    const out = path.join(tmp, 'lost-docker');
    const child = httpbench(['run', '--scenario', file, '--out', out], { timeoutMs: 300_000, env: { DOCKER_HOST: `unix://${proxyPath}` } });
    await waitFor('a rate step', async () => ((await readDoc(out)).targets[0]?.steps.length ?? 0) >= 2);
    proxy.close();
    for (const s of piped) s.destroy();
    const r = await child;
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/hint: .*httpbench clean/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const doc = await readDoc(out);
    expect(doc.status).toBe('failed');
    expect(doc.targets[0]!.steps.length).toBeGreaterThanOrEqual(2);
    // The leftover is found and removed through the real engine.
    const clean = await httpbench(['clean']);
    expect(clean.stdout).toContain('removed 1');
  });

  it('an unreachable Docker engine is one clear message with a hint, exit 3, no stack trace', async () => {
    const file = await scenarioFile('nodocker', [goChi]);
    const r = await httpbench(['run', '--scenario', file, '--out', path.join(tmp, 'nodocker')], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/Docker/);
    expect(r.stderr).toMatch(/hint: .*(dockerd|DOCKER_HOST)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('httpbench clean removes leftovers of a killed run', async () => {
    // Simulate a run killed with SIGKILL: a labelled container nobody removed.
    await execa('docker', ['create', '--label', `${HARNESS_LABEL}=1`, '--label', 'io.httpbench.run=killed', 'httpbench/go-chi:latest']);
    expect((await harnessContainers()).length).toBe(1);
    const r = await httpbench(['clean']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain('removed 1');
  });
});
