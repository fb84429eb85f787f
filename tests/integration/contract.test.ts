/**
 * verifyContract / compareBodies against in-process fake targets on port 0: a conforming fake passes,
 * each broken fake fails with a message naming the check that caught it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { compareBodies, expectedUser, verifyContract } from '../../src/targets/contract.ts';

interface FakeKnobs {
  /** Added to the id in 200 bodies (0 = correct). */
  idOffset?: number;
  contentType?: string;
  /** Status for a non-integer id (FastAPI 422, Go 400). */
  badIdStatus?: number;
  /** Never answer /users/1 (exercises the per-request timeout). */
  hangOnUser1?: boolean;
}

const servers: Server[] = [];

async function fakeTarget(knobs: FakeKnobs = {}, users = 10_000): Promise<string> {
  const contentType = knobs.contentType ?? 'application/json';
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/healthz') return send(200, { status: 'ok' });
    const match = /^\/users\/([^/]+)$/.exec(req.url ?? '');
    if (!match?.[1]) return send(404, { detail: 'Not Found' });
    if (!/^-?\d+$/.test(match[1])) return send(knobs.badIdStatus ?? 422, { detail: [{ msg: 'not an integer' }] });
    const id = Number(match[1]);
    if (id === 1 && knobs.hangOnUser1) return; // never answers
    if (id < 1 || id > users) return send(404, { detail: 'user not found' });
    return send(200, expectedUser(id + (knobs.idOffset ?? 0)));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('verifyContract', () => {
  it('passes a conforming target and keeps the bodies as samples', async () => {
    const report = await verifyContract(await fakeTarget());
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.samples['/users/42']).toEqual({ id: 42, name: 'User 42', email: 'user42@example.com' });
  });

  it('accepts charset=utf-8 and a Go-style 400 for a non-integer id', async () => {
    const report = await verifyContract(await fakeTarget({ contentType: 'application/json; charset=utf-8', badIdStatus: 400 }));
    expect(report.failures).toEqual([]);
  });

  it('names the body.id check when the target answers the wrong user', async () => {
    const report = await verifyContract(await fakeTarget({ idOffset: 1 }));
    expect(report.ok).toBe(false);
    expect(report.failures).toContain('GET /users/42: body.id is 43, expected 42');
    expect(report.failures).toContain('GET /users/42: body.name is "User 43", expected "User 42"');
  });

  it('names the Content-Type check for text/plain', async () => {
    const report = await verifyContract(await fakeTarget({ contentType: 'text/plain' }));
    expect(report.ok).toBe(false);
    expect(report.failures).toContain('GET /healthz: Content-Type is text/plain, expected application/json');
    // Every request is checked, not just the first one.
    expect(report.failures.filter((f) => f.includes('Content-Type'))).toHaveLength(6);
  });

  it('fails a 5xx for a non-integer id', async () => {
    const report = await verifyContract(await fakeTarget({ badIdStatus: 500 }));
    expect(report.failures).toEqual(['GET /users/not-a-number: status 500, expected 4xx (FastAPI 422, Go 400)']);
  });

  it('checks the last id the target should serve', async () => {
    const report = await verifyContract(await fakeTarget({}, 500), { maxId: 1000 });
    expect(report.failures).toContain('GET /users/1000: status 404, expected 200');
  });

  it('reports a hung request as a timeout failure instead of throwing', async () => {
    const report = await verifyContract(await fakeTarget({ hangOnUser1: true }), { timeoutMs: 200 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(/^GET \/users\/1: request failed \(TimeoutError/);
  });

  it('reports a closed port as a request failure for every check', async () => {
    const url = await fakeTarget();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const report = await verifyContract(url, { timeoutMs: 500 });
    expect(report.failures).toHaveLength(6);
    expect(report.failures.every((f) => f.includes('request failed'))).toBe(true);
  });
});

describe('compareBodies', () => {
  it('finds no difference between two conforming targets', async () => {
    expect(await compareBodies(await fakeTarget(), await fakeTarget(), [1, 2, 500, 9999])).toEqual([]);
  });

  it('lists the differing ids with both bodies and statuses', async () => {
    const a = await fakeTarget();
    const b = await fakeTarget({ idOffset: 1 }, 100);
    expect(await compareBodies(a, b, [1, 500])).toEqual([
      'GET /users/1: body "{\\"id\\":1,\\"name\\":\\"User 1\\",\\"email\\":\\"user1@example.com\\"}" vs "{\\"id\\":2,\\"name\\":\\"User 2\\",\\"email\\":\\"user2@example.com\\"}"',
      'GET /users/500: status 200 vs 404',
    ]);
  });
});
