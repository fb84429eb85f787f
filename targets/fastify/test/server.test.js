// The real entry point as a child process: listens on HOST:PORT, forks WORKERS with node:cluster,
// shuts down on SIGTERM well inside `docker stop -t 2`, and refuses a bad environment with one line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';

const server = path.join(import.meta.dirname, '..', 'src', 'server.js');

async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => s.once('listening', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function start(env) {
  const child = spawn(process.execPath, [server], { env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

async function waitHealthy(port, deadlineMs = 10_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) return;
    } catch {
      if (Date.now() > until) throw new Error(`no answer on port ${port} within ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Pids of the processes whose parent is `pid`, from /proc. */
function childrenOf(pid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // the process ended while we read /proc
    }
  }
  return pids;
}

for (const workers of ['1', '2']) {
  test(`WORKERS=${workers}: serves the contract and exits 0 on SIGTERM within 2 s`, async () => {
    const port = await freePort();
    const { child, exited } = start({ PORT: String(port), WORKERS: workers });
    try {
      await waitHealthy(port);
      const res = await fetch(`http://127.0.0.1:${port}/users/42`);
      assert.equal(await res.text(), '{"id":42,"name":"User 42","email":"user42@example.com"}');
    } finally {
      const sent = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
      assert.ok(Date.now() - sent < 2000, `took ${Date.now() - sent} ms`);
    }
  });
}

test('a bad environment ends the process with exit 1 and one line, before it listens', async () => {
  const { code, stderr } = await start({ PORT: String(await freePort()), USERS: '0' }).exited;
  assert.equal(code, 1);
  assert.equal(stderr, 'USERS must be a positive integer, got "0"\n');
});

test('WORKERS=2 forks two processes that share the port', async () => {
  const port = await freePort();
  const { child, exited } = start({ PORT: String(port), WORKERS: '2' });
  try {
    await waitHealthy(port);
    assert.equal(childrenOf(child.pid).length, 2);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('a worker that dies takes the service down with exit 1, so the harness sees the crash', async () => {
  const port = await freePort();
  const { child, exited } = start({ PORT: String(port), WORKERS: '2' });
  await waitHealthy(port);
  const [worker] = childrenOf(child.pid);
  process.kill(worker, 'SIGKILL');
  const { code, stderr } = await exited;
  assert.equal(code, 1);
  assert.equal(stderr, `worker ${worker} died (SIGKILL); stopping\n`);
});
