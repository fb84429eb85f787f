/**
 * A tcp:// target host with TLS and the wrong CA: one line and exit 2, before anything is built or
 * sent. The "engine" is an in-process HTTPS server on 127.0.0.1 (port 0) answering /_ping like
 * dockerd, with a certificate made here by openssl; the control case (its own certificate as CA)
 * shows the failure is the CA, not the server.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { connectEngine } from '../../src/targets/engine/client.ts';
import { resolveEngine } from '../../src/targets/engine/endpoint.ts';
import { httpbench } from '../helpers/cli.ts';

let tmp: string;
let server: https.Server;
let engine: string;
/** DOCKER_CERT_PATH directories: the server's own certificate as CA, and an unrelated one. */
let rightCa: string;
let wrongCa: string;

async function selfSigned(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await execa('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'server-key.pem'), '-out', path.join(dir, 'ca.pem'),
  ]);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'httpbench-tls-'));
  rightCa = path.join(tmp, 'right');
  wrongCa = path.join(tmp, 'wrong');
  await Promise.all([selfSigned(rightCa), selfSigned(wrongCa)]);
  server = https.createServer({ key: await readFile(path.join(rightCa, 'server-key.pem')), cert: await readFile(path.join(rightCa, 'ca.pem')) }, (req, res) => {
    res.writeHead(req.url?.endsWith('/_ping') ? 200 : 404, { 'content-type': 'text/plain' }).end('OK');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  engine = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

describe('a TLS target host engine with the wrong CA', () => {
  it('connects with the right CA, and refuses the wrong one with a ConfigError and a TLS hint', async () => {
    await expect(connectEngine(resolveEngine(engine, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: rightCa }))).resolves.toBeDefined();
    const error = await connectEngine(resolveEngine(engine, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrongCa })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^cannot reach the target host's Docker engine ${engine.replace(/\./g, '\\.')}: .*certificate`));
    expect((error as ConfigError).hint).toMatch(/^TLS failed/);
  });

  it('httpbench run says so in one line and exits 2, without the certificate path', async () => {
    const r = await httpbench(['run', '--quick', '--target-host', engine, '--out', path.join(tmp, 'out')], {
      timeoutMs: 60_000,
      env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrongCa },
    });
    expect(r.exitCode, r.all).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^httpbench: cannot reach the target host's Docker engine tcp:\/\/127\.0\.0\.1:\d+: .*certificate/);
    expect(lines.filter((l) => l.startsWith('httpbench:'))).toHaveLength(1);
    expect(r.all).not.toContain(wrongCa);
  });
});
