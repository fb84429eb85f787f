/**
 * `httpbench setup`, the pure part: from what the probes found on this machine (SetupFacts) to one
 * step per prerequisite, each either done, to do (with the exact command), to do by hand (with the
 * instruction), or waiting for an earlier step. No I/O: the planner is tested with injected facts.
 */
import type { BaseAvailability } from '../targets/image/bases.ts';

/** Go the targets' go.mod asks for (`go 1.24`); the host toolchain runs `go test` for npm test. */
export const MIN_GO = '1.24';

export interface SetupFacts {
  /** Running as root (uid 0): installing packages and starting dockerd need it. */
  isRoot: boolean;
  /** apt-get is on PATH (Debian/Ubuntu): the only package manager setup drives. */
  apt: boolean;
  docker: { running: true; version: string } | { running: false; dockerdInstalled: boolean };
  taskset: boolean;
  debootstrap: boolean;
  /** Per official base; null while the engine is not running (probed after it starts). */
  bases: BaseAvailability[] | null;
  /** Only probed with --for-tests. */
  tests?: {
    /** /usr/bin/chromium, the browser the report test drives. */
    chromium: boolean;
    python: 'ok' | 'no-python' | 'no-venv';
    /** PostgreSQL server binaries (initdb, pg_ctl): the targets' own tests run their postgres store. */
    postgres: boolean;
    /** `go version` of the host toolchain (e.g. "1.19.8"), null when there is none. */
    goVersion: string | null;
    /** Candidate version of Debian's golang-go (e.g. "1.19"), null when apt has none. */
    goAptCandidate: string | null;
    /** The target images of the test scenario and whether each exists; null while the engine is down. */
    targetImages: Array<{ tag: string; present: boolean }> | null;
    /** What the two-host test's rig (scripts/two-host-rig.sh) runs: ip, nsenter, Debian's sshd. */
    twoHostRig: { ip: boolean; nsenter: boolean; sshd: boolean };
  };
}

export type StepId = 'docker' | 'taskset' | 'bases' | 'chromium' | 'python-venv' | 'postgresql' | 'go' | 'two-host-rig' | 'target-images';

export type SetupStep =
  | { id: StepId; state: 'done'; what: string; detail: string }
  /** `command` is shown before it runs; apt installs are preceded by one `apt-get update`. */
  | { id: StepId; state: 'todo'; what: string; detail: string; command: string[]; needsRoot: boolean; aptPackages: string[] }
  | { id: StepId; state: 'manual'; what: string; detail: string; instruction: string }
  | { id: StepId; state: 'waiting'; what: string; detail: string };

/** The command lines behind the scripts (relative to the project root; the runner sets cwd). */
export const DOCKER_UP = ['bash', 'scripts/docker-up.sh'];
export const BUILD_BASES = ['bash', 'scripts/build-bases.sh'];
export const BUILD_TEST_IMAGES = ['node', 'bin/httpbench.js', 'build', '--scenario', 'scenarios/smoke.yaml'];

const aptInstall = (pkgs: string[]) => ['apt-get', 'install', '-y', '-qq', ...pkgs];

/** Compares dotted versions numerically: "1.24" ≤ "1.26.8", "1.9" < "1.19". */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = min.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function aptStep(id: StepId, what: string, detail: string, pkgs: string[], facts: SetupFacts, manual: string): SetupStep {
  if (!facts.apt) return { id, state: 'manual', what, detail, instruction: manual };
  return { id, state: 'todo', what, detail, command: aptInstall(pkgs), needsRoot: true, aptPackages: pkgs };
}

export function planSetup(facts: SetupFacts, opts: { forTests: boolean }): SetupStep[] {
  const steps: SetupStep[] = [];

  const d = facts.docker;
  if (d.running) steps.push({ id: 'docker', state: 'done', what: 'Docker engine', detail: `running (${d.version})` });
  else if (d.dockerdInstalled) steps.push({ id: 'docker', state: 'todo', what: 'Docker engine', detail: 'dockerd installed but the engine does not answer: start dockerd', command: DOCKER_UP, needsRoot: true, aptPackages: [] });
  else if (facts.apt) steps.push({ id: 'docker', state: 'todo', what: 'Docker engine', detail: "missing: install Debian's docker.io and start dockerd", command: DOCKER_UP, needsRoot: true, aptPackages: ['docker.io'] });
  else steps.push({ id: 'docker', state: 'manual', what: 'Docker engine', detail: 'missing', instruction: 'install a Docker engine for your OS (https://docs.docker.com/engine/install/), start it, and check `docker info`' });

  if (facts.taskset) steps.push({ id: 'taskset', state: 'done', what: 'taskset', detail: 'present' });
  else steps.push(aptStep('taskset', 'taskset', 'missing: install util-linux', ['util-linux'], facts, "install taskset (util-linux on Linux); without it the generator is not pinned"));

  if (facts.bases === null) {
    steps.push({ id: 'bases', state: 'waiting', what: 'base images', detail: 'checked once the Docker engine runs' });
  } else {
    const missing = facts.bases.filter((b) => b.source.kind === 'missing');
    const describe = (b: BaseAvailability): string =>
      b.source.kind === 'official' ? `${b.official} local` : b.source.kind === 'stand-in' ? `${b.official} → stand-in ${b.source.image}` : b.source.kind === 'pullable' ? `${b.official} pullable` : `${b.official} missing`;
    const summary = facts.bases.map(describe).join(', ');
    if (missing.length === 0) {
      steps.push({ id: 'bases', state: 'done', what: 'base images', detail: summary });
    } else {
      const why = missing[0]!.source.kind === 'missing' ? missing[0]!.source.why : '';
      const detail = `${missing.map((b) => b.official).join(', ')} not local and not pullable (${why}): build local stand-ins from a Debian rootfs, about a minute${facts.debootstrap ? '' : ' (installs debootstrap first)'}`;
      if (facts.debootstrap || facts.apt) {
        steps.push({ id: 'bases', state: 'todo', what: 'base images', detail, command: BUILD_BASES, needsRoot: !facts.debootstrap, aptPackages: facts.debootstrap ? [] : ['debootstrap'] });
      } else {
        steps.push({ id: 'bases', state: 'manual', what: 'base images', detail, instruction: 'install debootstrap, then run `bash scripts/build-bases.sh`, or make the official bases pullable' });
      }
    }
  }

  if (opts.forTests) {
    const t = facts.tests;
    if (!t) throw new Error('planSetup: --for-tests needs the test facts');
    if (t.chromium) steps.push({ id: 'chromium', state: 'done', what: 'Chromium', detail: 'present (/usr/bin/chromium)' });
    else steps.push(aptStep('chromium', 'Chromium', "missing: install Debian's chromium (the report test drives it)", ['chromium'], facts, 'install Chromium at /usr/bin/chromium (the report test drives it)'));

    if (t.python === 'ok') steps.push({ id: 'python-venv', state: 'done', what: 'Python 3 with venv', detail: 'present' });
    else {
      const pkgs = t.python === 'no-python' ? ['python3', 'python3-venv'] : ['python3-venv'];
      steps.push(aptStep('python-venv', 'Python 3 with venv', `missing: install ${pkgs.join(' ')} (the FastAPI target's own tests)`, pkgs, facts, 'install Python 3 with the venv module (the FastAPI target\'s own tests)'));
    }

    if (t.postgres) steps.push({ id: 'postgresql', state: 'done', what: 'PostgreSQL', detail: 'present (initdb, pg_ctl)' });
    else steps.push(aptStep('postgresql', 'PostgreSQL', "missing: install Debian's postgresql (the targets' own tests start a throwaway cluster)", ['postgresql'], facts, "install PostgreSQL's server binaries (initdb, pg_ctl): the targets' own tests start a throwaway cluster"));

    if (t.goVersion !== null && versionAtLeast(t.goVersion, MIN_GO)) steps.push({ id: 'go', state: 'done', what: `Go ≥ ${MIN_GO}`, detail: `go${t.goVersion}` });
    else {
      const have = t.goVersion === null ? 'missing' : `go${t.goVersion} is too old`;
      if (t.goAptCandidate !== null && versionAtLeast(t.goAptCandidate, MIN_GO)) {
        steps.push(aptStep('go', `Go ≥ ${MIN_GO}`, `${have}: install Debian's golang-go ${t.goAptCandidate}`, ['golang-go'], facts, ''));
      } else {
        const apt = t.goAptCandidate === null ? '' : ` (Debian's golang-go here is ${t.goAptCandidate})`;
        steps.push({ id: 'go', state: 'manual', what: `Go ≥ ${MIN_GO}`, detail: `${have}${apt}`, instruction: `install Go ≥ ${MIN_GO} from https://go.dev/dl/ and put its bin/ on PATH (the Go target's own tests)` });
      }
    }

    const rig = [['ip', 'iproute2', t.twoHostRig.ip], ['nsenter', 'util-linux', t.twoHostRig.nsenter], ['sshd', 'openssh-server', t.twoHostRig.sshd]] as const;
    const rigMissing = rig.filter(([, , present]) => !present);
    if (rigMissing.length === 0) steps.push({ id: 'two-host-rig', state: 'done', what: 'two-host rig', detail: 'present (ip, nsenter, sshd)' });
    else {
      const pkgs = rigMissing.map(([, pkg]) => pkg);
      steps.push(aptStep('two-host-rig', 'two-host rig', `missing ${rigMissing.map(([tool]) => tool).join(', ')}: install ${pkgs.join(' ')} (the two-host test's network namespaces and ssh engine)`, pkgs, facts, "install ip (iproute2), nsenter (util-linux) and OpenSSH's sshd at /usr/sbin/sshd (the two-host test's rig)"));
    }

    if (t.targetImages === null) steps.push({ id: 'target-images', state: 'waiting', what: 'target images', detail: 'built once the Docker engine and the bases are ready' });
    else {
      const absent = t.targetImages.filter((i) => !i.present).map((i) => i.tag);
      if (absent.length === 0) steps.push({ id: 'target-images', state: 'done', what: 'target images', detail: t.targetImages.map((i) => i.tag).join(', ') });
      else if (steps.some((s) => s.id === 'bases' && s.state !== 'done')) steps.push({ id: 'target-images', state: 'waiting', what: 'target images', detail: 'built once the base images are ready' });
      else steps.push({ id: 'target-images', state: 'todo', what: 'target images', detail: `build ${absent.join(', ')} (later builds in the tests reuse the layers)`, command: BUILD_TEST_IMAGES, needsRoot: false, aptPackages: [] });
    }
  }
  return steps;
}

/** One line per step, as `setup` prints it. */
export function formatStep(step: SetupStep): string {
  const tag = { done: 'ok', todo: 'do', manual: 'manual', waiting: 'later' }[step.state];
  const tail = step.state === 'todo' ? `: ${step.command.join(' ')}` : step.state === 'manual' ? ` → ${step.instruction}` : '';
  return `[${tag}] ${step.what}: ${step.detail}${tail}`;
}

/**
 * Why setup cannot do the remaining steps itself (null when it can): not root for a step that
 * installs or starts something, or steps that only a person can do.
 */
export function blockers(steps: readonly SetupStep[], facts: Pick<SetupFacts, 'isRoot'>): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (s.state === 'manual') out.push(`${s.what}: ${s.instruction}`);
    else if (s.state === 'todo' && s.needsRoot && !facts.isRoot) {
      // A running engine this user may not talk to looks the same as a stopped one from here.
      const access = s.id === 'docker' ? ' (or, if dockerd already runs, give this user access to /var/run/docker.sock)' : '';
      out.push(`${s.what}: as root, run \`${manualCommand(s)}\`${access}`);
    }
  }
  return out;
}

function manualCommand(s: Extract<SetupStep, { state: 'todo' }>): string {
  const cmd = s.command.join(' ');
  return s.command[0] === 'apt-get' ? `apt-get update && ${cmd}` : cmd;
}
