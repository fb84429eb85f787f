/**
 * The real probes and command runner behind `httpbench setup`: each probe only looks (PATH, files,
 * the Docker API, apt's candidate version) and never changes the machine.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadScenario } from '../scenario/load.ts';
import { probeBase } from '../targets/image/bases.ts';
import { connectDocker, type DockerClient } from '../targets/engine/client.ts';
import { defaultTag, imageInfo } from '../targets/image/build.ts';
import { isDockerTarget } from '../targets/kinds.ts';
import { loadTargetManifests, standInBases } from '../targets/manifest.ts';
import type { CommandOutcome } from './apply.ts';
import type { SetupFacts } from './steps.ts';

/** The browser the report test launches (tests/integration/report-browser.test.ts). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

async function hasCommand(name: string): Promise<boolean> {
  return (await execa('sh', ['-c', `command -v ${name}`], { reject: false })).exitCode === 0;
}

async function dockerIfRunning(): Promise<{ client: DockerClient; version: string } | null> {
  try {
    const client = await connectDocker({ timeoutMs: 3_000 });
    return { client, version: (await client.version()).Version ?? 'unknown version' };
  } catch {
    // Not reachable is a fact for the planner (start or install the engine), not an error here.
    return null;
  }
}

/** "go1.26.8" → "1.26.8"; the host toolchain only (GOTOOLCHAIN=local: no download to answer). */
async function goVersion(): Promise<string | null> {
  const r = await execa('go', ['env', 'GOVERSION'], { reject: false, env: { GOTOOLCHAIN: 'local' } });
  if (r.exitCode !== 0) return null;
  return /^go(\d+(?:\.\d+)*)/.exec(r.stdout.trim())?.[1] ?? null;
}

/** `apt-cache policy golang-go` → "Candidate: 2:1.19~1" → "1.19". */
export function parseAptCandidate(policy: string): string | null {
  const candidate = /Candidate:\s*(\S+)/.exec(policy)?.[1];
  if (!candidate || candidate === '(none)') return null;
  return /^(?:\d+:)?(\d+(?:\.\d+)*)/.exec(candidate)?.[1] ?? null;
}

async function pythonState(): Promise<'ok' | 'no-python' | 'no-venv'> {
  // The same interpreter scripts/test-targets.sh picks.
  const python = (await hasCommand('python3.11')) ? 'python3.11' : (await hasCommand('python3')) ? 'python3' : null;
  if (!python) return 'no-python';
  // Debian splits ensurepip (what `python3 -m venv` needs) into python3-venv.
  const r = await execa(python, ['-c', 'import venv, ensurepip'], { reject: false });
  return r.exitCode === 0 ? 'ok' : 'no-venv';
}

export async function gatherFacts(projectRoot: string, forTests: boolean): Promise<SetupFacts> {
  const [apt, taskset, debootstrap, dockerd, docker] = await Promise.all([
    hasCommand('apt-get'),
    hasCommand('taskset'),
    hasCommand('debootstrap'),
    hasCommand('dockerd'),
    dockerIfRunning(),
  ]);
  // Every target's bases: scripts/build-bases.sh builds the stand-ins of all the target manifests.
  const standIns = standInBases(await loadTargetManifests(projectRoot));
  const bases = docker ? await Promise.all(Object.keys(standIns).map((b) => probeBase(docker.client, b, standIns))) : null;
  const facts: SetupFacts = {
    isRoot: process.getuid?.() === 0,
    apt,
    docker: docker ? { running: true, version: docker.version } : { running: false, dockerdInstalled: dockerd },
    taskset,
    debootstrap,
    bases,
  };
  if (forTests) {
    const go = await goVersion();
    const goAptCandidate = apt ? parseAptCandidate((await execa('apt-cache', ['policy', 'golang-go'], { reject: false })).stdout) : null;
    let targetImages: Array<{ tag: string; present: boolean }> | null = null;
    if (docker) {
      const scenario = await loadScenario(path.join(projectRoot, 'scenarios', 'smoke.yaml'), { cpuCount: os.cpus().length });
      const tags = scenario.targets.filter(isDockerTarget).map((t) => defaultTag(t.name));
      targetImages = await Promise.all(tags.map(async (tag) => ({ tag, present: (await imageInfo(docker.client, tag)) !== null })));
    }
    const twoHostRig = { ip: await hasCommand('ip'), nsenter: await hasCommand('nsenter'), sshd: existsSync('/usr/sbin/sshd') };
    facts.tests = { chromium: existsSync(CHROMIUM_PATH), python: await pythonState(), postgres: await hasPostgresServer(), goVersion: go, goAptCandidate, targetImages, twoHostRig };
  }
  return facts;
}

/** Debian's postgresql puts initdb under /usr/lib/postgresql/<major>/bin (not on PATH). */
async function hasPostgresServer(): Promise<boolean> {
  const { readdir } = await import('node:fs/promises');
  const majors = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  return majors.some((m) => existsSync(`/usr/lib/postgresql/${m}/bin/initdb`) && existsSync(`/usr/lib/postgresql/${m}/bin/pg_ctl`));
}

/** Runs a step's command from the project root, unattended; output is kept for errors (or streamed). */
export async function execStep(projectRoot: string, command: string[], onOutput?: (chunk: string) => void): Promise<CommandOutcome> {
  const child = execa(command[0]!, command.slice(1), {
    cwd: projectRoot,
    reject: false,
    all: true,
    stdin: 'ignore',
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (onOutput) child.all?.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  const r = await child;
  return { ok: r.exitCode === 0, output: r.all ?? '' };
}
