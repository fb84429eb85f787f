/**
 * Two machines inside this one (issue 14): scripts/two-host-rig.sh makes a target namespace with its
 * own dockerd (tcp://198.18.0.2:2375) and a load namespace joined to it by a veth pair. The harness
 * runs in the load namespace — from the root namespace 198.18.0.0/15 routes to the real network, so
 * this file never sends anything there itself; it talks to the target engine over its unix socket.
 * Needs root, iproute2, util-linux, python3 and the main engine with the stand-in bases.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDocumentSchema } from '../../src/schema/run.ts';
import { HARNESS_LABEL } from '../../src/targets/types.ts';
import { BIN, ROOT } from '../helpers/cli.ts';

const RIG = path.join(ROOT, 'scripts', 'two-host-rig.sh');
const TARGET_SOCKET = '/run/hb-target/docker.sock';
const ENGINE = 'tcp://198.18.0.2:2375';
const ADDRESS = '198.18.0.2';
/** Given in the engine URL to prove credentials never reach run.json, reports or logs. */
const SECRET = 'hunter2-not-stored';

const targetEngine = new Docker({ socketPath: TARGET_SOCKET });
const mainEngine = new Docker();
let tmp: string;
let startedAtS: number;

/** The CLI inside the load namespace, as a user of the rig runs it. */
function inLoadNamespace(args: string[], timeoutMs: number) {
  return execa('ip', ['netns', 'exec', 'hb-load', 'node', BIN, ...args], { cwd: ROOT, reject: false, all: true, timeout: timeoutMs, env: { HTTPBENCH_DEBUG: '' } });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-two-host-'));
  startedAtS = Math.floor(Date.now() / 1000) - 1;
  // A fresh rig: nothing cached on the target engine from an earlier run.
  await execa('bash', [RIG, 'down'], { reject: false });
  const up = await execa('bash', [RIG, 'up'], { reject: false, all: true, timeout: 300_000 });
  expect(up.exitCode, up.all).toBe(0);
  // The rig copies the stand-in bases; take one away so the harness must copy it itself.
  await targetEngine.getImage('httpbench-base/python:3.13-slim').remove({ force: true });
}, 400_000);

afterAll(async () => {
  const down = await execa('bash', [RIG, 'down'], { reject: false, all: true, timeout: 120_000 });
  expect(down.exitCode, down.all).toBe(0);
}, 150_000);

describe('two hosts: targets on the target namespace engine, load from the load namespace', () => {
  it('refuses bad target hosts with one line and exit 2, before any load', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--target-host', 'tcp://198.18.0.2:2999'], /cannot reach the target host's Docker engine tcp:\/\/198\.18\.0\.2:2999/],
      [['--target-host', ENGINE, '--target-address', '198.18.0.1'], /is this machine/],
      [['--target-host', ENGINE, '--target-address', '10.255.255.1'], /address 10\.255\.255\.1 is not on the target host/],
      [['--target-host', 'ssh://bench@rig', '--target-address', 'rig'], /not an IP address/],
    ];
    for (const [flags, message] of cases) {
      const r = await inLoadNamespace(['run', '--quick', '--out', path.join(tmp, 'bad'), ...flags], 60_000);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(message);
    }
  }, 300_000);

  it('builds on the target engine, binds the targets to its address, records both machines and the network floor', async () => {
    const out = path.join(tmp, 'run');
    // Watch the target engine during the run: the containers there must bind the rig's address.
    const seenHosts = new Map<string, string>();
    const runIds = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const c of await targetEngine.listContainers({ filters: { label: [HARNESS_LABEL] } }).catch(() => [])) {
          const info = await targetEngine.getContainer(c.Id).inspect().catch(() => null);
          const host = info?.Config.Env.find((e) => e.startsWith('HOST='));
          if (info && host) seenHosts.set(info.Config.Labels['io.httpbench.target'] ?? c.Names[0]!, host);
          if (c.Labels['io.httpbench.run']) runIds.add(c.Labels['io.httpbench.run']);
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const r = await inLoadNamespace(
      ['run', '--quick', '--target-host', ENGINE.replace('tcp://', `tcp://bench:${SECRET}@`), '--build-proxy', 'http://127.0.0.1:3128', '--out', out],
      900_000,
    );
    watching = false;
    await watcher;
    expect(r.exitCode, r.all).toBe(0);

    // The harness copied the base the target engine lacked, and said so.
    expect(r.all).toMatch(/target host lacks httpbench-base\/python:3\.13-slim: copying it from the local engine/);
    // Images built there, during this test.
    for (const tag of ['httpbench/fastapi:latest', 'httpbench/go-chi:latest', 'httpbench/calibration:latest']) {
      const image = await targetEngine.getImage(tag).inspect();
      expect(Date.parse(image.Created) / 1000).toBeGreaterThanOrEqual(startedAtS);
    }
    expect(seenHosts.get('fastapi')).toBe(`HOST=${ADDRESS}`);
    expect(seenHosts.get('go-chi')).toBe(`HOST=${ADDRESS}`);

    const text = await readFile(path.join(out, 'run.json'), 'utf8');
    const doc = RunDocumentSchema.parse(JSON.parse(text));
    expect(doc.status).toBe('completed');
    expect(doc.hosts?.map((h) => h.role)).toEqual(['load', 'targets']);
    const target = doc.hosts![1]!;
    expect(target).toMatchObject({ engine: ENGINE, address: ADDRESS });
    expect(target.cpuCount).toBeGreaterThan(0);
    expect(doc.scenario.hosts).toEqual({ targets: { docker: ENGINE, address: ADDRESS } });
    expect(doc.network?.host).toBe(ADDRESS);
    expect(doc.network?.floorUs?.count).toBeGreaterThan(0);
    // Every measured target ran steps against the target address.
    expect(doc.targets.every((t) => t.status === 'completed' && t.steps.length > 0)).toBe(true);
    // Container stats came from the target engine (the local one never ran these containers).
    expect(doc.targets.every((t) => t.steps.every((s) => s.resources !== null && s.resources.samples > 0))).toBe(true);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| Targets host \| tcp:\/\/198\.18\.0\.2:2375, 198\.18\.0\.2: /);
    expect(report).toMatch(/\| Network floor \| p50 [\d.]+ ms, p99 [\d.]+ ms to 198\.18\.0\.2/);
    for (const written of [text, report, r.all]) expect(written).not.toContain(SECRET);

    // Nothing left on either engine.
    expect(await targetEngine.listContainers({ all: true })).toEqual([]);
    // The main engine is shared with other runs: only this run's label counts.
    expect(runIds.size).toBe(1);
    expect(await mainEngine.listContainers({ all: true, filters: { label: [...runIds].map((id) => `io.httpbench.run=${id}`) } })).toEqual([]);
  }, 900_000);

  it('SIGINT during a step stops the run with 130 and removes its containers on the target engine', async () => {
    const out = path.join(tmp, 'interrupted');
    const child = inLoadNamespace(['run', '--quick', '--target-host', ENGINE, '--build-proxy', 'http://127.0.0.1:3128', '--out', out], 600_000);
    // `ip netns exec` execs node in place, so the child's pid is the harness's.
    const deadline = Date.now() + 300_000;
    while ((await targetEngine.listContainers({ filters: { label: [`io.httpbench.target=fastapi`] } })).length === 0) {
      if (Date.now() > deadline || child.exitCode !== undefined && child.exitCode !== null) throw new Error('no fastapi container appeared on the target engine');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.all).toBe(130);
    const doc = RunDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')));
    expect(doc.status).toBe('interrupted');
    expect(await targetEngine.listContainers({ all: true })).toEqual([]);
  }, 600_000);
});
