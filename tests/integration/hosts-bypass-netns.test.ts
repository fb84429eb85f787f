/**
 * The hosts-file bypass of the loopback guard, end to end: in a network and mount namespace this test
 * creates (unshare, as root), /etc/hosts is bind-mounted with `evil.localhost → 10.255.255.1`, and
 * `httpbench load http://evil.localhost:18080/` must be refused by address (exit 2) before connecting.
 * The namespace has no interface but a down loopback, so nothing could leave it even if the guard
 * failed; a connection attempt would show as a step with ENETUNREACH errors on stdout.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-netns-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs the CLI inside fresh net + mount namespaces with `hosts` bind-mounted over /etc/hosts. */
async function inNamespace(hosts: string, args: string[]) {
  const file = path.join(tmp, `hosts-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, hosts);
  const script = 'mount --bind "$1" /etc/hosts && shift && exec node "$@"';
  return execa('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', file, BIN, ...args], {
    reject: false,
    timeout: 60_000,
    env: { HTTPBENCH_DEBUG: '' },
  });
}

describe('loopback guard inside a namespace with a hostile /etc/hosts', () => {
  it('refuses evil.localhost → 10.255.255.1 by address, before any connection (exit 2)', async () => {
    const r = await inNamespace('127.0.0.1 localhost\n10.255.255.1 evil.localhost\n', ['load', 'http://evil.localhost:18080/', '--rate', '1', '--duration', '0.2']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('refusing to send load to evil.localhost: not a loopback address (evil.localhost resolves to 10.255.255.1)');
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('ENETUNREACH');
  });

  it('the same hosts file maps a loopback name, which passes the guard (and then fails only to connect)', async () => {
    const r = await inNamespace('127.0.0.1 localhost\n127.0.0.7 good.localhost\n', ['load', 'http://good.localhost:18080/', '--rate', '2', '--duration', '0.5', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const step = JSON.parse(r.stdout) as { counts: { completed: number; errors: number } };
    // Loopback is down in a fresh namespace: every attempt fails locally, none leaves the namespace.
    expect(step.counts.completed).toBe(0);
    expect(step.counts.errors).toBeGreaterThan(0);
  });
});
