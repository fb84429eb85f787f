/** Loopback helpers: a free port and the cold-start poll. All traffic stays on 127.0.0.1. */
import { createServer } from 'node:net';

/**
 * A port the kernel just handed out on 127.0.0.1. Another process could take it before the container
 * binds it; startDockerTarget then sees the container exit and reports it with the logs.
 */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('kernel gave no port'))));
    });
  });
}

export interface PollOptions {
  timeoutMs: number;
  /** Pause between attempts, ms. */
  intervalMs?: number;
  /** Per-attempt timeout, ms: a socket that accepted but never answers must not eat the budget. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called between attempts; throwing stops the poll (e.g. the container died). */
  check?: () => Promise<void>;
  now?: () => number;
}

/** Polls `url` until it answers 200; resolves with the time of that answer (from `now`), or null on timeout. */
export async function waitForFirst200(url: string, opts: PollOptions): Promise<number | null> {
  const now = opts.now ?? (() => performance.now());
  const intervalMs = opts.intervalMs ?? 5;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 250;
  const deadline = now() + opts.timeoutMs;
  let lastCheck = -Infinity;
  while (now() < deadline) {
    opts.signal?.throwIfAborted();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) });
      // Drain the body so the connection is released.
      await response.arrayBuffer();
      if (response.status === 200) return now();
    } catch (error) {
      // Connection refused / reset / timeout are expected while the server boots; keep polling.
      void error;
    }
    // The liveness check costs a Docker API call: a few per second is enough to fail fast.
    if (opts.check && now() - lastCheck >= 200) {
      lastCheck = now();
      await opts.check();
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return null;
}
