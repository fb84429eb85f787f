/**
 * The fresh-machine path, as far as is safe: `httpbench setup --check --for-tests` with the real
 * probes inside a clean Debian container (the stand-in base rootfs: no Docker engine, no Chromium, no
 * Python, no Go, no network), with this checkout and the host's node mounted read-only. It must see
 * everything a fresh machine lacks and plan the right steps, and change nothing (--check). The install
 * path itself runs for real in CI: .ci/run is the README line with `httpbench setup --for-tests`.
 */
import { realpathSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';

/**
 * A plain Debian rootfs: the stand-ins' base when setup built them (no registry), else the official
 * image (setup skipped the stand-ins because the registry answers, so it can be pulled).
 */
async function freshImage(): Promise<string> {
  const local = await execa('docker', ['image', 'inspect', 'httpbench-base/debian:trixie'], { reject: false });
  return local.exitCode === 0 ? 'httpbench-base/debian:trixie' : 'debian:trixie-slim';
}

describe('httpbench setup on a fresh Debian (container)', () => {
  it('plans the engine, Chromium, Python and the images, in one line each, and exits 3 without changing anything', async () => {
    const node = realpathSync(process.execPath);
    const r = await execa(
      'docker',
      ['run', '--rm', '--network', 'none', '-v', `${ROOT}:/repo:ro`, '-v', `${node}:/usr/local/bin/node:ro`, '-w', '/repo', await freshImage(), 'node', 'bin/httpbench.js', 'setup', '--check', '--for-tests'],
      { reject: false, timeout: 120_000 },
    );
    expect(r.exitCode, r.stderr).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('setup: ')).map((l) => l.replace(/: (bash|apt-get) .*$/, ''));
    // util-linux (taskset) is in some Debian rootfs flavours and not others: either line is right.
    expect(lines[0]).toMatch(/^setup: \[ok\] taskset: present$|^setup: \[do\] taskset: missing: install util-linux$/);
    expect(lines.slice(1)).toEqual([
      "setup: [do] Docker engine: missing: install Debian's docker.io and start dockerd",
      'setup: [later] base images: checked once the Docker engine runs',
      "setup: [do] Chromium: missing: install Debian's chromium (the report test drives it)",
      "setup: [do] Python 3 with venv: missing: install python3 python3-venv (the FastAPI target's own tests)",
      "setup: [do] PostgreSQL: missing: install Debian's postgresql (the targets' own tests start a throwaway cluster)",
      // No apt lists in the rootfs (and no network to fetch them): apt offers no Go, so it is manual here.
      "setup: [manual] Go ≥ 1.24: missing → install Go ≥ 1.24 from https://go.dev/dl/ and put its bin/ on PATH (the Go target's own tests)",
      // nsenter comes with util-linux, present in some flavours (see taskset above).
      expect.stringMatching(/^setup: \[do\] two-host rig: missing ip, (nsenter, )?sshd: install iproute2 (util-linux )?openssh-server \(the two-host test's network namespaces and ssh engine\)$/),
      'setup: [later] target images: built once the Docker engine and the bases are ready',
    ]);
    expect(r.stderr).toContain('hint: run `npx httpbench setup --for-tests` (as root on Debian/Ubuntu) to do them');
  });
});
