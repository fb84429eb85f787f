import { describe, expect, it } from 'vitest';
import { blockers, formatStep, planSetup, versionAtLeast, type SetupFacts } from '../../../src/setup/steps.ts';
import { parseAptCandidate } from '../../../src/setup/probes.ts';

const NO_HOST = 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host';

/** This project's fresh machine: root, Debian, nothing installed, no registry. */
function fresh(): SetupFacts {
  return {
    isRoot: true,
    apt: true,
    docker: { running: false, dockerdInstalled: false },
    taskset: true,
    debootstrap: false,
    bases: null,
    tests: { chromium: false, python: 'no-venv', postgres: false, goVersion: '1.26.8', goAptCandidate: '1.19', targetImages: null, twoHostRig: { ip: true, nsenter: true, sshd: false } },
  };
}

/** The same machine once docker-up.sh has run. */
function engineUp(): SetupFacts {
  return {
    ...fresh(),
    docker: { running: true, version: '20.10.24+dfsg1' },
    bases: [
      { official: 'python:3.13-slim', source: { kind: 'missing', standIn: 'httpbench-base/python:3.13-slim', why: NO_HOST } },
      { official: 'golang:1.24-bookworm', source: { kind: 'missing', standIn: 'httpbench-base/golang:1.24', why: NO_HOST } },
    ],
    tests: { chromium: false, python: 'no-venv', postgres: false, goVersion: '1.26.8', goAptCandidate: '1.19', targetImages: [{ tag: 'httpbench/fastapi:latest', present: false }, { tag: 'httpbench/go-chi:latest', present: false }], twoHostRig: { ip: true, nsenter: true, sshd: false } },
  };
}

const lines = (facts: SetupFacts, forTests = true) => planSetup(facts, { forTests }).map(formatStep);

describe('planSetup', () => {
  it('on a fresh machine: install and start the engine first; bases and images wait for it', () => {
    expect(lines(fresh())).toEqual([
      "[do] Docker engine: missing: install Debian's docker.io and start dockerd: bash scripts/docker-up.sh",
      '[ok] taskset: present',
      '[later] base images: checked once the Docker engine runs',
      "[do] Chromium: missing: install Debian's chromium (the report test drives it): apt-get install -y -qq chromium",
      "[do] Python 3 with venv: missing: install python3-venv (the FastAPI target's own tests): apt-get install -y -qq python3-venv",
      "[do] PostgreSQL: missing: install Debian's postgresql (the targets' own tests start a throwaway cluster): apt-get install -y -qq postgresql",
      '[ok] Go ≥ 1.24: go1.26.8',
      "[do] two-host rig: missing sshd: install openssh-server (the two-host test's network namespaces and ssh engine): apt-get install -y -qq openssh-server",
      '[later] target images: built once the Docker engine and the bases are ready',
    ]);
  });

  it('with the engine up and no registry: build the stand-ins (installing debootstrap), then the images', () => {
    expect(lines(engineUp(), false)).toEqual([
      '[ok] Docker engine: running (20.10.24+dfsg1)',
      '[ok] taskset: present',
      `[do] base images: python:3.13-slim, golang:1.24-bookworm not local and not pullable (${NO_HOST}): build local stand-ins from a Debian rootfs, about a minute (installs debootstrap first): bash scripts/build-bases.sh`,
    ]);
    const steps = planSetup(engineUp(), { forTests: true });
    expect(formatStep(steps.find((s) => s.id === 'target-images')!)).toBe('[later] target images: built once the base images are ready');
  });

  it('once the bases exist, builds the missing target images', () => {
    const facts = engineUp();
    facts.bases = [
      { official: 'python:3.13-slim', source: { kind: 'stand-in', image: 'httpbench-base/python:3.13-slim' } },
      { official: 'golang:1.24-bookworm', source: { kind: 'pullable' } },
    ];
    facts.tests!.targetImages = [{ tag: 'httpbench/fastapi:latest', present: true }, { tag: 'httpbench/go-chi:latest', present: false }];
    expect(lines(facts).filter((l) => /base images|target images/.test(l))).toEqual([
      '[ok] base images: python:3.13-slim → stand-in httpbench-base/python:3.13-slim, golang:1.24-bookworm pullable',
      '[do] target images: build httpbench/go-chi:latest (later builds in the tests reuse the layers): node bin/httpbench.js build --scenario scenarios/smoke.yaml',
    ]);
  });

  it('when everything is there: every line is [ok] and nothing is to do', () => {
    const facts = engineUp();
    facts.taskset = true;
    facts.bases = [{ official: 'python:3.13-slim', source: { kind: 'official' } }];
    facts.tests = { chromium: true, python: 'ok', postgres: true, goVersion: '1.24.0', goAptCandidate: null, targetImages: [{ tag: 'httpbench/fastapi:latest', present: true }], twoHostRig: { ip: true, nsenter: true, sshd: true } };
    expect(lines(facts)).toEqual([
      '[ok] Docker engine: running (20.10.24+dfsg1)',
      '[ok] taskset: present',
      '[ok] base images: python:3.13-slim local',
      '[ok] Chromium: present (/usr/bin/chromium)',
      '[ok] Python 3 with venv: present',
      '[ok] PostgreSQL: present (initdb, pg_ctl)',
      '[ok] Go ≥ 1.24: go1.24.0',
      '[ok] two-host rig: present (ip, nsenter, sshd)',
      '[ok] target images: httpbench/fastapi:latest',
    ]);
  });

  it("an old Go that Debian's package cannot replace is a manual step; a new enough package is installed", () => {
    const facts = fresh();
    facts.tests!.goVersion = '1.19.8';
    expect(lines(facts).find((l) => l.includes('Go ≥'))).toBe(
      "[manual] Go ≥ 1.24: go1.19.8 is too old (Debian's golang-go here is 1.19) → install Go ≥ 1.24 from https://go.dev/dl/ and put its bin/ on PATH (the Go target's own tests)",
    );
    facts.tests!.goVersion = null;
    facts.tests!.goAptCandidate = '1.24';
    expect(lines(facts).find((l) => l.includes('Go ≥'))).toBe("[do] Go ≥ 1.24: missing: install Debian's golang-go 1.24: apt-get install -y -qq golang-go");
  });

  it('without apt: the engine, taskset, Chromium, venv and PostgreSQL are manual steps', () => {
    const facts = fresh();
    facts.apt = false;
    facts.taskset = false;
    facts.tests!.goAptCandidate = null;
    expect(lines(facts).filter((l) => l.startsWith('[manual]'))).toEqual([
      '[manual] Docker engine: missing → install a Docker engine for your OS (https://docs.docker.com/engine/install/), start it, and check `docker info`',
      '[manual] taskset: missing: install util-linux → install taskset (util-linux on Linux); without it the generator is not pinned',
      "[manual] Chromium: missing: install Debian's chromium (the report test drives it) → install Chromium at /usr/bin/chromium (the report test drives it)",
      "[manual] Python 3 with venv: missing: install python3-venv (the FastAPI target's own tests) → install Python 3 with the venv module (the FastAPI target's own tests)",
      "[manual] PostgreSQL: missing: install Debian's postgresql (the targets' own tests start a throwaway cluster) → install PostgreSQL's server binaries (initdb, pg_ctl): the targets' own tests start a throwaway cluster",
      "[manual] two-host rig: missing sshd: install openssh-server (the two-host test's network namespaces and ssh engine) → install ip (iproute2), nsenter (util-linux) and OpenSSH's sshd at /usr/sbin/sshd (the two-host test's rig)",
    ]);
  });

  it('an installed but stopped engine is started, not reinstalled', () => {
    const facts = fresh();
    facts.docker = { running: false, dockerdInstalled: true };
    const docker = planSetup(facts, { forTests: false })[0]!;
    expect(docker).toMatchObject({ state: 'todo', aptPackages: [], needsRoot: true });
    expect(formatStep(docker)).toBe('[do] Docker engine: dockerd installed but the engine does not answer: start dockerd: bash scripts/docker-up.sh');
  });
});

describe('blockers', () => {
  it('names the root-only commands (apt with its update) and the manual steps for a non-root user', () => {
    const facts = fresh();
    facts.isRoot = false;
    facts.tests!.goVersion = null;
    expect(blockers(planSetup(facts, { forTests: true }), facts)).toEqual([
      'Docker engine: as root, run `bash scripts/docker-up.sh` (or, if dockerd already runs, give this user access to /var/run/docker.sock)',
      'Chromium: as root, run `apt-get update && apt-get install -y -qq chromium`',
      'Python 3 with venv: as root, run `apt-get update && apt-get install -y -qq python3-venv`',
      'PostgreSQL: as root, run `apt-get update && apt-get install -y -qq postgresql`',
      'Go ≥ 1.24: install Go ≥ 1.24 from https://go.dev/dl/ and put its bin/ on PATH (the Go target\'s own tests)',
      'two-host rig: as root, run `apt-get update && apt-get install -y -qq openssh-server`',
    ]);
    facts.isRoot = true;
    expect(blockers(planSetup(facts, { forTests: true }), facts)).toEqual([
      'Go ≥ 1.24: install Go ≥ 1.24 from https://go.dev/dl/ and put its bin/ on PATH (the Go target\'s own tests)',
    ]);
  });
});

describe('versions', () => {
  it('compares dotted versions numerically', () => {
    expect(versionAtLeast('1.26.8', '1.24')).toBe(true);
    expect(versionAtLeast('1.24', '1.24')).toBe(true);
    expect(versionAtLeast('1.9', '1.24')).toBe(false);
    expect(versionAtLeast('1.19.8', '1.24')).toBe(false);
    expect(versionAtLeast('2.0', '1.24')).toBe(true);
  });

  it("reads apt's candidate version without epoch or revision", () => {
    expect(parseAptCandidate('golang-go:\n  Installed: (none)\n  Candidate: 2:1.19~1\n  Version table:\n')).toBe('1.19');
    expect(parseAptCandidate('golang-go:\n  Installed: (none)\n  Candidate: 2:1.24~2\n')).toBe('1.24');
    expect(parseAptCandidate('golang-go:\n  Installed: (none)\n  Candidate: (none)\n')).toBeNull();
    expect(parseAptCandidate('')).toBeNull();
  });
});
