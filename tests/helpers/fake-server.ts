/**
 * In-process fake HTTP servers for tests: real sockets on 127.0.0.1, port 0, with fault knobs
 * (after autocannon's test/helper.js). Every knob is deterministic — fractions pick exact requests by
 * counter, never by Math.random — so tests can assert exact counts.
 *
 *   const server = await startFakeServer({ delayMs: 20 });
 *   … drive server.url …
 *   await server.close();
 *
 * Knobs combine: a request is first checked for reset, then hang, then its response is delayed
 * (delayMs, then held through any stall window), then answered 500 or 200.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeServerOptions {
  /** Fixed delay before each response, ms. */
  delayMs?: number;
  /**
   * Periodic full stall: during the last `forMs` of every `everyMs` period (counted from server start)
   * no response leaves; responses due in the window are all released when it ends. Models a GC pause
   * or a blocked event loop.
   */
  stall?: { everyMs: number; forMs: number };
  /** Fraction (0..1) of requests answered with status 500 (every 1/f-th request, exactly). */
  errorFraction?: number;
  /** Fraction (0..1) of requests whose socket is reset (TCP RST) instead of answered (→ ECONNRESET). */
  resetFraction?: number;
  /** Fraction (0..1) of requests never answered (the socket stays open). 1 = a hung server. */
  hangFraction?: number;
  /** Response body size, bytes (default 2: "ok"). */
  bodyBytes?: number;
  /** Send bodies with Transfer-Encoding: chunked (split into two chunks) instead of Content-Length. */
  chunked?: boolean;
  /** How many request paths to keep in `paths` (default 10 000; 0 keeps none, for memory tests). */
  keepPaths?: number;
}

export interface FakeServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Requests received so far (including reset and hung ones). */
  readonly requestCount: number;
  /** Paths of the first `keepPaths` requests, in arrival order (for id-sequence checks). */
  readonly paths: readonly string[];
  /** Stops listening and destroys every open socket, including hung ones. */
  close(): Promise<void>;
}


/** True when request number `n` (0-based) is one of the exact `fraction` of requests picked. */
export function picked(n: number, fraction: number | undefined): boolean {
  if (!fraction || fraction <= 0) return false;
  return Math.floor((n + 1) * fraction) > Math.floor(n * fraction);
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const body = Buffer.alloc(options.bodyBytes ?? 2, 'o');
  if (!options.bodyBytes) body.write('ok');
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const paths: string[] = [];
  const keepPaths = options.keepPaths ?? 10_000;
  let count = 0;
  const startMs = performance.now();

  /** ms until the response may leave, given that it is ready now (stall windows hold it). */
  const stallWaitMs = (): number => {
    if (!options.stall) return 0;
    const { everyMs, forMs } = options.stall;
    const phase = (performance.now() - startMs) % everyMs;
    return phase >= everyMs - forMs ? everyMs - phase : 0;
  };

  const respond = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => {
    const status = picked(n, options.errorFraction) ? 500 : 200;
    if (options.chunked) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      const half = Math.floor(body.length / 2);
      res.write(body.subarray(0, half));
      res.end(body.subarray(half));
    } else {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    }
    void req;
  };

  const later = (fn: () => void, ms: number) => {
    const due = performance.now() + ms;
    const arm = (waitMs: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        // libuv arms timers from the loop's cached time, which can be a few hundred µs old when a
        // request is handled (a busy-polling client in the same thread makes that likely): never
        // answer before the delay the knob promises.
        const left = due - performance.now();
        if (left > 0) arm(Math.max(1, Math.ceil(left)));
        else fn();
      }, waitMs);
      timers.add(t);
    };
    arm(ms);
  };

  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const n = count++;
    if (paths.length < keepPaths) paths.push(req.url ?? '');
    if (picked(n, options.resetFraction)) {
      req.socket.resetAndDestroy(); // an RST, so the client sees ECONNRESET rather than a clean close
      return;
    }
    if (picked(n, options.hangFraction)) return; // never answered; close() destroys the socket
    const release = () => {
      const wait = stallWaitMs();
      if (wait > 0) later(release, wait);
      else respond(req, res, n);
    };
    if (options.delayMs) later(release, options.delayMs);
    else release();
  });
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requestCount() {
      return count;
    },
    paths,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
