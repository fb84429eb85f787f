/**
 * A fake of the targets' contract (targets/CONTRACT.md) on 127.0.0.1, port 0, with dials: a fixed
 * delay, a fraction of 500s, or a server that dies after N requests. Lets run/compare tests drive the
 * whole harness against a "target" whose latency and throughput are known.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeUsersOptions {
  /** Delay before each /users response, ms (setTimeout granularity: ≥ ~1 ms when > 0). */
  delayMs?: number;
  users?: number;
  /** Every n-th /users request gets a 500 (0 = never). */
  errorEvery?: number;
  /** Break the contract: return the wrong id. */
  wrongId?: boolean;
}

export interface FakeUsers {
  url: string;
  requests: number;
  close(): Promise<void>;
}

export async function startFakeUsers(options: FakeUsersOptions = {}): Promise<FakeUsers> {
  const users = options.users ?? 10_000;
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') return json(res, 200, { status: 'ok' });
    const m = /^\/users\/([^/?]+)$/.exec(url);
    if (!m) return json(res, 404, { detail: 'not found' });
    state.requests++;
    const answer = () => {
      if (options.errorEvery && state.requests % options.errorEvery === 0) return json(res, 500, { detail: 'injected' });
      if (!/^-?\d+$/.test(m[1]!)) return json(res, 400, { detail: 'invalid user id' });
      const id = Number(m[1]);
      if (id < 1 || id > users) return json(res, 404, { detail: 'user not found' });
      const shown = options.wrongId ? id + 1 : id;
      json(res, 200, { id: shown, name: `User ${shown}`, email: `user${shown}@example.com` });
    };
    if (options.delayMs) {
      // Never before the delay: libuv arms timers from the loop's cached time (see fake-server.ts).
      const due = performance.now() + options.delayMs;
      const arm = (ms: number) => setTimeout(() => (performance.now() < due ? arm(Math.max(1, Math.ceil(due - performance.now()))) : answer()), ms);
      arm(options.delayMs);
    } else answer();
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
