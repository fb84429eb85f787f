import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../../src/errors.ts';
import type { SetupFacts } from '../../../src/setup/steps.ts';
import { runSetup, type SetupDeps } from '../../../src/setup/apply.ts';

/**
 * A simulated fresh machine: facts change only when the matching command "runs", so the loop's
 * order, its one-line-per-step output and its idempotence are checked without touching this host.
 */
function machine(overrides: { isRoot?: boolean; failing?: string } = {}) {
  const state = { docker: false, bases: false, chromium: false, venv: false, postgres: false, sshd: false, images: false };
  const commands: string[] = [];
  const log: string[] = [];
  const deps: SetupDeps = {
    gather: async (forTests): Promise<SetupFacts> => ({
      isRoot: overrides.isRoot ?? true,
      apt: true,
      docker: state.docker ? { running: true, version: '20.10.24' } : { running: false, dockerdInstalled: false },
      taskset: true,
      debootstrap: state.bases,
      bases: !state.docker
        ? null
        : [{ official: 'python:3.13-slim', source: state.bases ? { kind: 'stand-in', image: 'httpbench-base/python:3.13-slim' } : { kind: 'missing', standIn: 'httpbench-base/python:3.13-slim', why: 'no such host' } }],
      ...(forTests
        ? { tests: { chromium: state.chromium, python: state.venv ? 'ok' : 'no-venv', postgres: state.postgres, goVersion: '1.26.8', goAptCandidate: '1.19', targetImages: state.docker ? [{ tag: 'httpbench/go-chi:latest', present: state.images }] : null, twoHostRig: { ip: true, nsenter: true, sshd: state.sshd } } }
        : {}),
    }),
    exec: async (command) => {
      const line = command.join(' ');
      commands.push(line);
      if (line === overrides.failing) return { ok: false, output: 'E: Unable to locate package chromium\n' };
      if (line === 'bash scripts/docker-up.sh') state.docker = true;
      if (line === 'bash scripts/build-bases.sh') state.bases = true;
      if (line.endsWith(' chromium')) state.chromium = true;
      if (line.endsWith(' python3-venv')) state.venv = true;
      if (line.endsWith(' postgresql')) state.postgres = true;
      if (line.endsWith(' openssh-server')) state.sshd = true;
      if (line.startsWith('node bin/httpbench.js build')) state.images = true;
      return { ok: true, output: '' };
    },
    log: (line) => log.push(line),
  };
  return { deps, commands, log };
}

describe('runSetup', () => {
  it('does every missing step once, in order, saying each in one line; apt-get update once', async () => {
    const m = machine();
    await runSetup({ forTests: true, check: false }, m.deps);
    expect(m.commands).toEqual([
      'bash scripts/docker-up.sh',
      'bash scripts/build-bases.sh',
      'apt-get update -qq',
      'apt-get install -y -qq chromium',
      'apt-get install -y -qq python3-venv',
      'apt-get install -y -qq postgresql',
      'apt-get install -y -qq openssh-server',
      'node bin/httpbench.js build --scenario scenarios/smoke.yaml',
    ]);
    expect(m.log.map((l) => l.replace(/: (bash|apt-get|node) .*$/, ''))).toEqual([
      '[ok] taskset: present',
      '[ok] Go ≥ 1.24: go1.26.8',
      "[do] Docker engine: missing: install Debian's docker.io and start dockerd",
      '[ok] Docker engine: running (20.10.24)',
      '[do] base images: python:3.13-slim not local and not pullable (no such host): build local stand-ins from a Debian rootfs, about a minute (installs debootstrap first)',
      '[ok] base images: python:3.13-slim → stand-in httpbench-base/python:3.13-slim',
      "[do] Chromium: missing: install Debian's chromium (the report test drives it)",
      '[ok] Chromium: present (/usr/bin/chromium)',
      "[do] Python 3 with venv: missing: install python3-venv (the FastAPI target's own tests)",
      '[ok] Python 3 with venv: present',
      "[do] PostgreSQL: missing: install Debian's postgresql (the targets' own tests start a throwaway cluster)",
      '[ok] PostgreSQL: present (initdb, pg_ctl)',
      "[do] two-host rig: missing sshd: install openssh-server (the two-host test's network namespaces and ssh engine)",
      '[ok] two-host rig: present (ip, nsenter, sshd)',
      '[do] target images: build httpbench/go-chi:latest (later builds in the tests reuse the layers)',
      '[ok] target images: httpbench/go-chi:latest',
    ]);
  });

  it('the second time does nothing and only reports', async () => {
    const m = machine();
    await runSetup({ forTests: true, check: false }, m.deps);
    m.commands.length = 0;
    m.log.length = 0;
    await runSetup({ forTests: true, check: false }, m.deps);
    expect(m.commands).toEqual([]);
    expect(m.log.every((l) => l.startsWith('[ok] '))).toBe(true);
    expect(m.log).toHaveLength(9);
  });

  it('--check changes nothing and fails (exit 3) when a step is not done', async () => {
    const m = machine();
    await expect(runSetup({ forTests: false, check: true }, m.deps)).rejects.toThrow(InfrastructureError);
    expect(m.commands).toEqual([]);
    expect(m.log).toEqual(['[ok] taskset: present', "[do] Docker engine: missing: install Debian's docker.io and start dockerd: bash scripts/docker-up.sh", '[later] base images: checked once the Docker engine runs']);
  });

  it('as non-root: installs nothing and names the commands to run as root', async () => {
    const m = machine({ isRoot: false });
    const error = await runSetup({ forTests: false, check: false }, m.deps).catch((e: unknown) => e);
    expect(m.commands).toEqual([]);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect((error as InfrastructureError).message).toBe('setup cannot finish on its own:\n  - Docker engine: as root, run `bash scripts/docker-up.sh` (or, if dockerd already runs, give this user access to /var/run/docker.sock)');
    expect((error as InfrastructureError).hint).toBe('do this, then run `npx httpbench setup` again (it then sees to: base images)');
  });

  it('stops at a failing step with its output', async () => {
    const m = machine({ failing: 'apt-get install -y -qq chromium' });
    const error = await runSetup({ forTests: true, check: false }, m.deps).catch((e: unknown) => e);
    expect((error as Error).message).toBe('set-up step "Chromium" failed (apt-get install -y -qq chromium):\nE: Unable to locate package chromium');
    expect(m.commands.at(-1)).toBe('apt-get install -y -qq chromium');
  });
});
