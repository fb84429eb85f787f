/**
 * Two machines inside this one (issue 14): scripts/two-host-rig.sh makes a target namespace with its
 * own dockerd (tcp://198.18.0.2:2375, and ssh://hbrig@198.18.0.2 through Debian's sshd with a
 * throwaway key) and a load namespace joined to it by a veth pair. The harness runs in the load
 * namespace — from the root namespace 198.18.0.0/15 routes to the real network, so this file never
 * sends anything there itself; it talks to the target engine over its unix socket.
 * The full quick run goes over ssh; tcp carries the SIGINT and killed-engine cases.
 * Needs root, iproute2, util-linux, openssh-server, python3 and the main engine with the stand-in bases.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDocumentSchema } from '../../src/schema/run.ts';
import { cpusetsOverlap } from '../../src/util/cpuset.ts';
import { cleanHarness, listHarnessContainers } from '../../src/targets/docker.ts';
import { HARNESS_LABEL } from '../../src/targets/types.ts';
import { BIN, ROOT } from '../helpers/cli.ts';

const RIG = path.join(ROOT, 'scripts', 'two-host-rig.sh');
const TARGET_SOCKET = '/run/hb-target/docker.sock';
const DOCKERD_PIDFILE = '/run/hb-target/dockerd.pid';
const ENGINE = 'tcp://198.18.0.2:2375';
const ADDRESS = '198.18.0.2';
const PROXY = ['--build-proxy', 'http://127.0.0.1:3128'];
/** The rig's ssh engine: its user, and where `up` put the throwaway key and the host's key. */
const SSH_USER = 'hbrig';
const SSH_ENGINE = `ssh://${SSH_USER}@${ADDRESS}`;
const SSH_DIR = '/run/hb-target/ssh';
const SSH_KEY = path.join(SSH_DIR, 'id_ed25519');
const SSH_ENV = { HTTPBENCH_SSH_KEY: SSH_KEY, HTTPBENCH_SSH_KNOWN_HOSTS: path.join(SSH_DIR, 'known_hosts') };
/** Given in the engine URL to prove credentials never reach run.json, reports or logs. */
const SECRET = 'hunter2-not-stored';

const targetEngine = new Docker({ socketPath: TARGET_SOCKET });
const mainEngine = new Docker();
let tmp: string;
let startedAtS: number;

/** The CLI inside the load namespace, as a user of the rig runs it. */
function inLoadNamespace(args: string[], timeoutMs: number, env: Record<string, string> = {}) {
  return execa('ip', ['netns', 'exec', 'hb-load', 'node', BIN, ...args], { cwd: ROOT, reject: false, all: true, timeout: timeoutMs, env: { HTTPBENCH_DEBUG: '', SSH_AUTH_SOCK: '', ...env } });
}

/** Lines the CLI printed as errors: a bad input or a lost engine is exactly one. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('httpbench:'));

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
  // Whatever happened above: namespaces, dockerd, sshd, proxy and veth go.
  const down = await execa('bash', [RIG, 'down'], { reject: false, all: true, timeout: 120_000 });
  expect(down.exitCode, down.all).toBe(0);
  const left = await execa('ip', ['netns', 'list'], { reject: false });
  expect(left.stdout).not.toMatch(/^hb-(load|target)\b/m);
}, 150_000);

describe('two hosts: targets on the target namespace engine, load from the load namespace', () => {
  it('refuses bad target hosts with one line and exit 2, before any load', async () => {
    const wrongKey = path.join(tmp, 'wrong_ed25519');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    const emptyKnownHosts = path.join(tmp, 'known_hosts_empty');
    await writeFile(emptyKnownHosts, '');
    const cases: Array<[string[], Record<string, string>, RegExp, RegExp?]> = [
      [['--target-host', 'tcp://198.18.0.2:2999'], {}, /cannot reach the target host's Docker engine tcp:\/\/198\.18\.0\.2:2999/],
      [['--target-host', ENGINE, '--target-address', '198.18.0.1'], {}, /is this machine/],
      // This machine's own engine, reached by its socket, with the other machine's address: same engine ID.
      [['--target-host', 'unix:///var/run/docker.sock', '--target-address', ADDRESS], {}, /is this machine/],
      [['--target-host', ENGINE, '--target-address', '10.255.255.1'], {}, /address 10\.255\.255\.1 is not on the target host/],
      [['--target-host', 'ssh://bench@rig', '--target-address', 'rig'], {}, /not an IP address/],
      // ssh: a key the host does not accept, a user it does not have, a host key nobody checked.
      [['--target-host', SSH_ENGINE], { ...SSH_ENV, HTTPBENCH_SSH_KEY: wrongKey }, /cannot reach the target host's Docker engine ssh:\/\/198\.18\.0\.2: All configured authentication methods failed/, /^hint: ssh refused the login/m],
      [['--target-host', `ssh://hbwronguser@${ADDRESS}`], SSH_ENV, /cannot reach the target host's Docker engine ssh:\/\/198\.18\.0\.2: All configured authentication methods failed/, /^hint: ssh refused the login/m],
      [['--target-host', SSH_ENGINE], { ...SSH_ENV, HTTPBENCH_SSH_KNOWN_HOSTS: emptyKnownHosts }, /cannot reach the target host's Docker engine ssh:\/\/198\.18\.0\.2: Host denied/, /^hint: the host's ssh key is not in known_hosts/m],
    ];
    for (const [flags, env, message, hint] of cases) {
      const r = await inLoadNamespace(['run', '--quick', '--out', path.join(tmp, 'bad'), ...flags], 60_000, env);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(message);
      expect(errorLines(r.stderr), r.all).toHaveLength(1);
      if (hint) expect(r.stderr).toMatch(hint);
      for (const secret of [SSH_KEY, wrongKey, SSH_DIR, `${SSH_USER}@`, 'hbwronguser']) expect(r.all).not.toContain(secret);
    }
  }, 300_000);

  it('over ssh: builds on the target engine, binds the targets to its address, records both machines and the network floor, writes no credential', async () => {
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
    const r = await inLoadNamespace(['run', '--quick', '--target-host', SSH_ENGINE, ...PROXY, '--out', out], 900_000, SSH_ENV);
    watching = false;
    await watcher;
    expect(r.exitCode, r.all).toBe(0);

    // It went over ssh: the rig's sshd logged the harness's key in.
    expect(await readFile(path.join(SSH_DIR, 'sshd.log'), 'utf8')).toMatch(new RegExp(`Accepted publickey for ${SSH_USER} from 198\\.18\\.0\\.1`));
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
    expect(target).toMatchObject({ engine: `ssh://${ADDRESS}`, address: ADDRESS });
    expect(target.cpuCount).toBeGreaterThan(0);
    expect(doc.scenario.hosts).toEqual({ targets: { docker: `ssh://${ADDRESS}`, address: ADDRESS } });
    expect(doc.network?.host).toBe(ADDRESS);
    expect(doc.network?.floorUs?.count).toBeGreaterThan(0);
    // The rig's "target host" is this machine's kernel (same boot id): its CPUs are ours, so the
    // generator must not poll on the targets' cores.
    const { target: targetCpus, generator: generatorCpus } = doc.environment.cpusets;
    expect(cpusetsOverlap(targetCpus!, generatorCpus!)).toBe(false);
    // Every measured target ran steps against the target address.
    expect(doc.targets.every((t) => t.status === 'completed' && t.steps.length > 0)).toBe(true);
    // Container stats came from the target engine (the local one never ran these containers).
    expect(doc.targets.every((t) => t.steps.every((s) => s.resources !== null && s.resources.samples > 0))).toBe(true);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| Targets host \| ssh:\/\/198\.18\.0\.2, 198\.18\.0\.2: /);
    expect(report).toMatch(/\| Network floor \| p50 [\d.]+ ms, p99 [\d.]+ ms to 198\.18\.0\.2/);
    // No key path, key directory or user name anywhere the run wrote or printed.
    const html = await readFile(path.join(out, 'report.html'), 'utf8');
    const verdicts = await readFile(path.join(out, 'verdicts.json'), 'utf8');
    for (const written of [text, report, html, verdicts, r.all]) {
      for (const secret of [SSH_KEY, SSH_DIR, 'id_ed25519', `${SSH_USER}@`, `"${SSH_USER}"`]) expect(written).not.toContain(secret);
    }

    // Nothing left on either engine.
    expect(await targetEngine.listContainers({ all: true })).toEqual([]);
    // The main engine is shared with other runs: only this run's label counts.
    expect(runIds.size).toBe(1);
    expect(await mainEngine.listContainers({ all: true, filters: { label: [...runIds].map((id) => `io.httpbench.run=${id}`) } })).toEqual([]);
  }, 900_000);

  it('over tcp, SIGINT during a step stops the run with 130, removes its containers on the target engine and stores no password', async () => {
    const out = path.join(tmp, 'interrupted');
    const child = inLoadNamespace(['run', '--quick', '--target-host', ENGINE.replace('tcp://', `tcp://bench:${SECRET}@`), ...PROXY, '--out', out], 600_000);
    // `ip netns exec` execs node in place, so the child's pid is the harness's.
    const deadline = Date.now() + 300_000;
    while ((await targetEngine.listContainers({ filters: { label: [`io.httpbench.target=fastapi`] } })).length === 0) {
      if (Date.now() > deadline || child.exitCode !== undefined && child.exitCode !== null) throw new Error('no fastapi container appeared on the target engine');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.all).toBe(130);
    const text = await readFile(path.join(out, 'run.json'), 'utf8');
    const doc = RunDocumentSchema.parse(JSON.parse(text));
    expect(doc.status).toBe('interrupted');
    expect(doc.hosts![1]!.engine).toBe(ENGINE);
    for (const written of [text, r.all]) expect(written).not.toContain(SECRET);
    expect(await targetEngine.listContainers({ all: true })).toEqual([]);
  }, 600_000);

  it('a target engine killed mid-step: one line and exit 3, what was measured is kept, nothing runs once the engine is back', async () => {
    const out = path.join(tmp, 'killed');
    const child = inLoadNamespace(['run', '--quick', '--target-host', ENGINE, ...PROXY, '--out', out], 600_000);
    // Kill it once the first target's first step is measured: the next step is then under way.
    let seen = '';
    const measured = new Promise<boolean>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/\[fastapi\/1-worker#1\] max closed loop: achieved/.test(seen)) resolve(true);
      });
      void child.then(() => resolve(false));
    });
    expect(await measured, seen).toBe(true);
    const dockerdPid = Number((await readFile(DOCKERD_PIDFILE, 'utf8')).trim());
    process.kill(dockerdPid, 'SIGKILL');
    const r = await child;

    expect(r.exitCode, r.all).toBe(3);
    expect(errorLines(r.stderr), r.all).toEqual([expect.stringMatching(/^httpbench: the target host's Docker engine tcp:\/\/198\.18\.0\.2:2375 stopped answering during the run \(.+\)$/)]);
    const doc = RunDocumentSchema.parse(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')));
    expect(doc.status).toBe('failed');
    expect(doc.network?.floorUs?.count).toBeGreaterThan(0);
    const fastapi = doc.targets.find((t) => t.name === 'fastapi')!;
    expect(fastapi.status).toBe('failed');
    expect(fastapi.steps.find((s) => s.kind === 'max')?.achievedRps).toBeGreaterThan(0);
    // The reports of a failed run are written too.
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toMatch(/fastapi/);

    // The engine comes back (the rig starts it again): it stops what the dead engine left running,
    // and `clean`'s removal takes the rest (the run that made them is gone).
    const up = await execa('bash', [RIG, 'up'], { reject: false, all: true, timeout: 300_000 });
    expect(up.exitCode, up.all).toBe(0);
    expect(await targetEngine.listContainers()).toEqual([]);
    const left = await listHarnessContainers(targetEngine);
    expect(left.every((c) => !c.ownerAlive)).toBe(true);
    const runIds = [...new Set(left.map((c) => c.runId))];
    const cleaned = await cleanHarness(targetEngine);
    expect(cleaned.skipped).toEqual([]);
    expect(await targetEngine.listContainers({ all: true })).toEqual([]);
    // Nothing of this run on the main engine either (it only gave images).
    if (runIds.length > 0) expect(await mainEngine.listContainers({ all: true, filters: { label: runIds.map((id) => `io.httpbench.run=${id}`) } })).toEqual([]);
  }, 600_000);
});
