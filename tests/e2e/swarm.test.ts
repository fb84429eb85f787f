/**
 * Several load machines inside this one (issue 25): scripts/swarm-rig.sh makes a two-node Docker
 * swarm (dockerds in namespaces hb-sw-gen1 198.18.2.2, manager, and hb-sw-gen2 198.18.2.3), a third
 * engine in hb-sw-target running the Go/chi target on 198.18.2.4:8000, and the load namespace
 * hb-sw-load (the bridge) where the harness runs. The harness starts one generator agent per swarm
 * node, splits every step between them, and merges their histograms. This file talks to the rig's
 * engines over their unix sockets and sends nothing to 198.18.0.0/15 itself.
 * Needs root, iproute2, util-linux, docker.io and the main engine with httpbench/go-chi and the node base.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intendedSendTimesUs } from '../../src/load/openloop/schedule.ts';
import { decodeHistogram } from '../../src/samples/histogram.ts';
import { RunDocumentSchema, type RunDocument } from '../../src/schema/run.ts';
import { BIN, ROOT } from '../helpers/cli.ts';

const RIG = path.join(ROOT, 'scripts', 'swarm-rig.sh');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'swarm', 'quick.yaml');
const gen1 = new Docker({ socketPath: '/run/hb-swarm/gen1/docker.sock' });
const gen2 = new Docker({ socketPath: '/run/hb-swarm/gen2/docker.sock' });
let tmp: string;

function inLoadNamespace(args: string[], timeoutMs: number) {
  return execa('ip', ['netns', 'exec', 'hb-sw-load', 'node', BIN, 'run', '--allow-remote', ...args], { cwd: ROOT, reject: false, all: true, timeout: timeoutMs, env: { HTTPBENCH_DEBUG: '' } });
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('httpbench:'));

/** The rig's scenario with longer steps (for interrupting one). */
async function scenarioWith(name: string, durationS: number): Promise<string> {
  const doc = parse(await readFile(FIXTURE, 'utf8')) as { load: { steps: { durationS: number }; max: { durationS: number } } };
  doc.load.steps.durationS = durationS;
  doc.load.max.durationS = durationS;
  const file = path.join(tmp, `${name}.yaml`);
  await writeFile(file, stringify(doc));
  return file;
}

/** Nothing of any run is left on the generator engines that answer: no service, no task container (bounded wait: nodes remove containers a few seconds after their task). */
async function expectNothingLeft(engines: Docker[]): Promise<void> {
  expect(await gen1.listServices()).toEqual([]);
  const end = Date.now() + 20_000;
  let left: string[] = [];
  do {
    left = [];
    for (const e of engines) for (const c of await e.listContainers({ all: true })) left.push(c.Names.join(','));
    if (left.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  } while (Date.now() < end);
  expect(left).toEqual([]);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-swarm-'));
  await execa('bash', [RIG, 'down'], { reject: false });
  const up = await execa('bash', [RIG, 'up'], { reject: false, all: true, timeout: 400_000 });
  expect(up.exitCode, up.all).toBe(0);
}, 450_000);

afterAll(async () => {
  const down = await execa('bash', [RIG, 'down'], { reject: false, all: true, timeout: 120_000 });
  expect(down.exitCode, down.all).toBe(0);
  const left = await execa('ip', ['netns', 'list'], { reject: false });
  expect(left.stdout).not.toMatch(/^hb-sw-/m);
}, 150_000);

describe('generators on a swarm: two nodes of the rig, targets on a third engine', () => {
  it('refuses bad input with one line and exit 2, leaving nothing behind', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--generators', 'tcp://198.18.2.4:2375', '--generator-nodes', '2'], /^httpbench: tcp:\/\/198\.18\.2\.4:2375 is not part of a Docker swarm \(swarm state: inactive\)/],
      [['--generators', 'tcp://198.18.2.3:2375', '--generator-nodes', '2'], /^httpbench: tcp:\/\/198\.18\.2\.3:2375 is a swarm worker, not a manager/],
      [['--generator-nodes', '3'], /^httpbench: the swarm of tcp:\/\/198\.18\.2\.2:2375 has 2 ready node\(s\), 3 generator nodes asked/],
      [['--generator-image', 'httpbench/generator:never-built'], /^httpbench: generator node \S+ \(198\.18\.2\.\d\) has no image httpbench\/generator:never-built: /],
      [['--generators', 'tcp://198.18.2.2:2999', '--generator-nodes', '2'], /^httpbench: cannot reach the generators' swarm manager tcp:\/\/198\.18\.2\.2:2999/],
    ];
    for (const [flags, message] of cases) {
      const r = await inLoadNamespace(['--scenario', FIXTURE, '--out', path.join(tmp, `bad-${cases.findIndex((c) => c[0] === flags)}`), ...flags], 180_000);
      expect(r.exitCode, r.all).toBe(2);
      expect(errorLines(r.stderr), r.all).toHaveLength(1);
      expect(errorLines(r.stderr)[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    await expectNothingLeft([gen1, gen2]);
  }, 900_000);

  it('a quick run: every step split over both nodes, one machine\'s schedule, merged exactly, which node measured what', async () => {
    const out = path.join(tmp, 'quick');
    const r = await inLoadNamespace(['--scenario', FIXTURE, '--out', out], 300_000);
    expect(r.exitCode, r.all).toBe(0);
    const doc: RunDocument = RunDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')));
    const nodeIds = ((await gen1.listNodes()) as Array<{ ID: string }>).map((n) => n.ID).sort();
    const steps = doc.targets.flatMap((t) => t.steps);
    expect(steps.length, r.all).toBeGreaterThanOrEqual(3);
    for (const step of steps) {
      const shares = step.shares!;
      expect(shares.map((s) => s.node.id).sort()).toEqual(nodeIds);
      expect(shares.map((s) => s.node.address).sort()).toEqual(['198.18.2.2', '198.18.2.3']);
      expect(shares.reduce((s, x) => s + x.connections, 0)).toBe(step.connections);
      // Merge exactness, recomputed from run.json alone.
      expect(step.counts.completed).toBe(shares.reduce((s, x) => s + x.counts.completed, 0));
      expect(step.counts.sent).toBe(shares.reduce((s, x) => s + x.counts.sent, 0));
      expect(decodeHistogram(step.histograms.uncorrected).totalCount).toBe(shares.reduce((s, x) => s + decodeHistogram(x.histograms.uncorrected).totalCount, 0));
      expect(decodeHistogram(step.histograms.uncorrected).totalCount).toBe(step.counts.completed);
      for (const s of shares) expect(s.clock.errorUs).toBeLessThan(50_000);
      if (step.offeredRps !== null) {
        // Two nodes offered one machine's schedule: the intended sends are exactly its count.
        const oneMachine = intendedSendTimesUs(step.offeredRps, step.connections, [...Array(step.connections).keys()], step.durationS).length;
        expect(step.counts.intended).toBe(oneMachine);
        expect(shares.map((s) => s.offeredRps)).toEqual([step.offeredRps / 2, step.offeredRps / 2]);
        expect(decodeHistogram(step.histograms.corrected!).totalCount).toBe(shares.reduce((s, x) => s + decodeHistogram(x.histograms.corrected!).totalCount, 0));
      }
    }
    expect(r.stderr).toMatch(/generators: 2 swarm node\(s\) of tcp:\/\/198\.18\.2\.2:2375/);
    await expectNothingLeft([gen1, gen2]);
  }, 400_000);

  it('SIGINT during a step: 130, run.json interrupted, the services and their containers removed', async () => {
    const out = path.join(tmp, 'sigint');
    const child = inLoadNamespace(['--scenario', await scenarioWith('long', 20), '--out', out], 200_000);
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => (seen += d.toString()));
    for (let i = 0; i < 600 && !/\] max \(closed loop\)|\] max /.test(seen); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.all).toBe(130);
    const doc = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as RunDocument;
    expect(doc.status).toBe('interrupted');
    await expectNothingLeft([gen1, gen2]);
  }, 300_000);

  it('a generator node killed mid-step: one line naming it, exit 3, nothing left on the node that answers', async () => {
    const out = path.join(tmp, 'killed');
    const gen2Id = ((await gen2.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    const child = inLoadNamespace(['--scenario', await scenarioWith('killed', 20), '--out', out], 300_000);
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => (seen += d.toString()));
    for (let i = 0; i < 600 && !/\] max /.test(seen); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    const killed = await execa('bash', [RIG, 'kill-node', 'gen2'], { reject: false, all: true });
    expect(killed.exitCode, killed.all).toBe(0);
    const r = await child;
    expect(r.exitCode, r.all).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines, r.all).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^httpbench: generator node ${gen2Id} \\(198\\.18\\.2\\.3\\) was lost (during|before) the step: `));
    const doc = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as RunDocument;
    expect(doc.status).toBe('failed');
    // gen2's engine is gone with its machine; the manager's node has nothing of the run left.
    await expectNothingLeft([gen1]);
  }, 400_000);
});
