/** `httpbench load` end to end through bin/httpbench.js against an in-process fake server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { execa } from 'execa';
import net from 'node:net';
import { startFakeServer, type FakeServer } from '../helpers/fake-server.ts';

const bin = new URL('../../bin/httpbench.js', import.meta.url).pathname;
let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer({ delayMs: 5 });
});
afterAll(async () => {
  await server.close();
});

describe('httpbench load', () => {
  it('prints exactly one JSON object with the step figures', async () => {
    const r = await execa('node', [bin, 'load', `${server.url}/users/{id}`, '--rate', '100', '--duration', '1', '--connections', '4', '--ids-max', '20', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(out.offeredRps).toBe(100);
    expect(out.durationS).toBe(1);
    expect(out.achievedRps).toBeGreaterThanOrEqual(99);
    expect(out.counts).toMatchObject({ sent: 100, completed: 100, errors: 0, timeouts: 0, non2xx: 0, dropped: 0 });
    for (const kind of ['corrected', 'uncorrected']) {
      const p = out.latencyUs[kind];
      expect(p.p50).toBeGreaterThanOrEqual(5000);
      expect(p.p50).toBeLessThanOrEqual(p.p90);
      expect(p.p90).toBeLessThanOrEqual(p.p95);
      expect(p.p95).toBeLessThanOrEqual(p.p99);
      expect(p.p99).toBeLessThanOrEqual(p.p999);
      expect(p.p999).toBeLessThanOrEqual(p.max);
      expect(p.count).toBe(100);
    }
    expect(out.generator.cpuPercent).toBeGreaterThan(0);
    expect(typeof out.generator.bound).toBe('boolean');
    expect(out.generator.latenessUs.p50).toBeLessThanOrEqual(out.generator.latenessUs.p99);
    expect(server.paths.slice(-100).every((p) => /^\/users\/([1-9]|1[0-9]|20)$/.test(p))).toBe(true);
  });

  it('reports the CPUs it runs on under taskset -c 0', async () => {
    const r = await execa('taskset', ['-c', '0', 'node', bin, 'load', `${server.url}/users/{id}`, '--rate', '50', '--duration', '0.5', '--connections', '2', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.generator.cpuset).toBe(os.cpus().length > 1 ? '0' : null);
    expect(out.counts.completed).toBe(out.counts.sent);
  });

  it('reports no cpuset when it may run on every CPU', async () => {
    const all = `0-${os.cpus().length - 1}`;
    const r = await execa('taskset', ['-c', all, 'node', bin, 'load', `${server.url}/`, '--rate', '20', '--duration', '0.25', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim()).generator.cpuset).toBeNull();
  });

  it('prints a table with labelled units', async () => {
    const r = await execa('node', [bin, 'load', `${server.url}/`, '--rate', '50', '--duration', '0.5'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('latency, ms');
    expect(r.stdout).toContain('req/s');
  });

  it('reports latency as absent, not 0 ms, when no request completed (issue 12)', async () => {
    // A loopback port nobody listens on: bind one, then free it.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const args = ['load', `http://127.0.0.1:${port}/`, '--rate', '20', '--duration', '0.5', '--connections', '2'];
    const json = await execa('node', [bin, ...args, '--json'], { reject: false });
    expect(json.exitCode, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout.trim());
    expect(out.counts.completed).toBe(0);
    expect(out.latencyUs).toEqual({ uncorrected: null, corrected: null });
    const table = await execa('node', [bin, ...args], { reject: false });
    expect(table.stdout).toMatch(/uncorrected\s+no data \(no request completed\)/);
    expect(table.stdout).not.toMatch(/\s0\.000\s/);
  });

  it('refuses more connections than the open-file limit allows, before sending anything (issue 12)', async () => {
    // A soft limit of 256 descriptors, 64 kept free: 1,000 connections cannot be opened.
    const r = await execa('bash', ['-c', `ulimit -n 256 && exec node ${bin} load ${server.url}/ --rate 50 --duration 1 --connections 1000`], { reject: false });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('1000 connections need more file descriptors than this process may open (soft limit 256');
    expect(r.stderr).toContain('ulimit -n');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('counts a refused connection once per intended request: 50 req/s for 2 s is 100 errors, not thousands (issue 12)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const r = await execa('node', [bin, 'load', `http://127.0.0.1:${closed}/`, '--rate', '50', '--duration', '2', '--connections', '4', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.counts).toMatchObject({ sent: 0, completed: 0, intended: 100, errors: 100, errorsByKind: { ECONNREFUSED: 100 } });
    expect(out.counts.connectFailures).toBeGreaterThan(100);
  });

  it('refuses a remote host with exit 2 and a hint', async () => {
    const r = await execa('node', [bin, 'load', 'http://192.0.2.1/', '--rate', '10'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('not a loopback address');
    expect(r.stderr).toContain('--allow-remote');
  });

  it('refuses a non-http URL and bad flags with exit 2', async () => {
    expect((await execa('node', [bin, 'load', 'ftp://127.0.0.1/', '--rate', '10'], { reject: false })).exitCode).toBe(2);
    const r = await execa('node', [bin, 'load', `${server.url}/`, '--rate', '0', '--workers', '0'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--rate must be a positive number');
    expect(r.stderr).toContain('--workers must be a positive integer');
  });
});
