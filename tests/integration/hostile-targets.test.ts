/**
 * Hostile or tricky targets on port 0: the load engines and the contract check connect to the address
 * the URL guard checked (not a fresh lookup of the name), and contract reads are bounded in size and
 * time however the server behaves.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { AutocannonEngine } from '../../src/load/autocannon.ts';
import { OpenLoopEngine } from '../../src/load/openloop/engine.ts';
import type { StepSpec } from '../../src/load/types.ts';
import { MAX_CONTRACT_BODY_BYTES, verifyContract } from '../../src/targets/contract.ts';
import { BIN } from '../helpers/cli.ts';
import { startFakeUsers } from '../helpers/fake-users.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** A server on 127.0.0.1:0 whose handler is the test's; records the Host header of every request. */
async function serve(handler: http.RequestListener): Promise<{ port: number; hosts: string[] }> {
  const hosts: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, hosts };
}

const ok: http.RequestListener = (_req, res) => res.end('ok');

/** `.invalid` never resolves (RFC 6761): only a connection to connectHost can reach the server. */
function spec(port: number, step: Partial<StepSpec> = {}): StepSpec {
  return {
    baseUrl: `http://bench.invalid:${port}`,
    connectHost: '127.0.0.1',
    pathTemplate: '/users/{id}',
    ids: { distribution: 'uniform', min: 1, max: 10, zipfS: 1.1, seed: 1 },
    rateRps: 50,
    durationS: 0.4,
    connections: 2,
    workers: 1,
    timeoutMs: 1000,
    generatorCpuset: null,
    ...step,
  };
}

describe('engines connect to the checked address and keep the Host header', () => {
  it('open-loop engine', async () => {
    const server = await serve(ok);
    const step = await new OpenLoopEngine().runStep(spec(server.port));
    expect(step.counts.sent).toBe(20);
    expect(step.counts.completed).toBe(20);
    expect(step.counts.errors).toBe(0);
    expect(new Set(server.hosts)).toEqual(new Set([`bench.invalid:${server.port}`]));
  });

  it('autocannon engine', async () => {
    const server = await serve(ok);
    const step = await new AutocannonEngine().runStep(spec(server.port, { rateRps: 20, durationS: 1 }));
    expect(step.counts.completed).toBeGreaterThan(0);
    expect(step.counts.errors).toBe(0);
    expect(new Set(server.hosts)).toEqual(new Set([`bench.invalid:${server.port}`]));
  });

  it('contract check', async () => {
    const users = await startFakeUsers();
    closers.push(() => users.close());
    const port = new URL(users.url).port;
    const report = await verifyContract(`http://bench.invalid:${port}`, { connectHost: '127.0.0.1' });
    expect(report.failures).toEqual([]);
  });
});

describe('contract reads are bounded', () => {
  it('fails a body larger than the cap without reading it all', async () => {
    const size = 8 * MAX_CONTRACT_BODY_BYTES;
    let written = 0;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': size });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < size && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const report = await verifyContract(`http://127.0.0.1:${server.port}`, { timeoutMs: 5000 });
    expect(report.failures[0]).toBe(`GET /healthz: request failed (BodyTooLarge: body larger than ${MAX_CONTRACT_BODY_BYTES} bytes)`);
    expect(report.failures).toHaveLength(6);
    // Each request stopped within a few socket buffers of the cap, not at the 8 MiB the server offered.
    expect(written).toBeLessThan(6 * size);
  });

  it('fails an endless chunked body within the size cap or the timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no length: chunked, forever
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
      };
      pump();
    });
    const t0 = performance.now();
    const report = await verifyContract(`http://127.0.0.1:${server.port}`, { timeoutMs: 1000 });
    expect(performance.now() - t0).toBeLessThan(6 * 1000 + 2000);
    expect(report.failures).toHaveLength(6);
    for (const f of report.failures) expect(f).toMatch(/request failed \((BodyTooLarge|TimeoutError)/);
  });

  it('fails a body that trickles forever at the timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
      res.on('close', () => clearInterval(timer));
    });
    const t0 = performance.now();
    const report = await verifyContract(`http://127.0.0.1:${server.port}`, { timeoutMs: 300 });
    const elapsedMs = performance.now() - t0;
    expect(report.failures).toHaveLength(6);
    expect(report.failures[0]).toBe('GET /healthz: request failed (TimeoutError: no complete response within 300 ms)');
    expect(elapsedMs).toBeGreaterThanOrEqual(6 * 300);
    expect(elapsedMs).toBeLessThan(6 * 300 + 2000);
  });
});

describe('httpbench load: hostile flags and addresses', () => {
  it('refuses CR/LF in --path-template before connecting (exit 2)', async () => {
    const server = await serve(ok);
    const r = await execa('node', [BIN, 'load', `http://127.0.0.1:${server.port}/`, '--rate', '10', '--duration', '0.2', '--path-template', '/users/1\r\nX-Injected: 1'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--path-template contains a control character or space (U+000D)');
    expect(r.stderr).not.toContain('\r\n');
    expect(server.hosts).toEqual([]);
  });

  it('accepts an IPv4-mapped loopback literal', async () => {
    const server = await serve(ok);
    const r = await execa('node', [BIN, 'load', `http://[::ffff:127.0.0.1]:${server.port}/`, '--rate', '20', '--duration', '0.3', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const step = JSON.parse(r.stdout) as { counts: { completed: number } };
    expect(step.counts.completed).toBe(6);
    expect(server.hosts.length).toBe(6);
  });
});
