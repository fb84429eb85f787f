import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, InfrastructureError, InterruptedError, TargetError } from '../../../src/errors.ts';
import { scenarioHosts } from '../../../src/scenario/hosts.ts';
import { chooseTargetHost, contextEndpoint, engineOptions, redactEngine, resolveEngine } from '../../../src/targets/engine/endpoint.ts';
import { localAddressesFromFibTrie, lostEngineError } from '../../../src/targets/target-host.ts';

describe('redactEngine', () => {
  it('drops user, password and query from engine URLs', () => {
    expect(redactEngine('tcp://admin:s3cret@10.0.0.5:2376?x=1')).toBe('tcp://10.0.0.5:2376');
    expect(redactEngine('ssh://bench@server:2222/path')).toBe('ssh://server:2222');
    expect(redactEngine('unix:///run/hb-target/docker.sock')).toBe('unix:///run/hb-target/docker.sock');
    expect(redactEngine('bench-server')).toBe('context bench-server');
  });
});

describe('engineOptions', () => {
  it('maps tcp:// to plain http on 2375 and to https on 2376 with TLS material', () => {
    expect(engineOptions('tcp://198.18.0.2:2375').options).toEqual({ host: '198.18.0.2', port: 2375, protocol: 'http' });
    const tls = engineOptions('tcp://10.0.0.5', { ca: 'CA', cert: 'C', key: 'K' });
    expect(tls.options).toEqual({ host: '10.0.0.5', port: 2376, protocol: 'https', ca: 'CA', cert: 'C', key: 'K' });
    // TLS material is in the options only, never in what is shown or stored.
    expect(tls.display).toBe('tcp://10.0.0.5');
  });
  it('maps ssh:// to the ssh protocol with the user and port 22 by default', () => {
    const e = engineOptions('ssh://bench@server');
    expect(e.options).toMatchObject({ protocol: 'ssh', host: 'server', port: 22, username: 'bench' });
    expect(e.display).toBe('ssh://server');
    expect(e.urlHost).toBe('server');
  });
  it('refuses other schemes with a ConfigError', () => {
    expect(() => engineOptions('ftp://x')).toThrow(ConfigError);
  });
  it('follows DOCKER_TLS_VERIFY for tcp:// as the docker CLI does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hb-tls-'));
    await writeFile(path.join(dir, 'ca.pem'), 'CA');
    const e = resolveEngine('tcp://10.0.0.5:2376', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect(e.options).toEqual({ host: '10.0.0.5', port: 2376, protocol: 'https', ca: 'CA' });
    expect(resolveEngine('tcp://10.0.0.5:2375', {}).options).toEqual({ host: '10.0.0.5', port: 2375, protocol: 'http' });
  });
});

describe('contextEndpoint', () => {
  it('reads the context store by the SHA-256 of the name, with its TLS material', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hb-ctx-'));
    const id = createHash('sha256').update('bench').digest('hex');
    await mkdir(path.join(dir, 'contexts', 'meta', id), { recursive: true });
    await writeFile(path.join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: 'bench', Endpoints: { docker: { Host: 'tcp://10.1.2.3:2376' } } }));
    await mkdir(path.join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
    await writeFile(path.join(dir, 'contexts', 'tls', id, 'docker', 'key.pem'), 'KEY');
    const e = contextEndpoint('bench', dir);
    expect(e.options).toEqual({ host: '10.1.2.3', port: 2376, protocol: 'https', key: 'KEY' });
    expect(e.display).toBe('tcp://10.1.2.3:2376 (context bench)');
    expect(() => contextEndpoint('missing', dir)).toThrow(/no Docker context named "missing"/);
  });
});

describe('chooseTargetHost', () => {
  it('prefers the flag, takes the address from the URL when it is an IP', () => {
    expect(chooseTargetHost({ flag: 'tcp://198.18.0.2:2375', env: {} })).toEqual({ engine: 'tcp://198.18.0.2:2375', address: '198.18.0.2', from: '--target-host' });
    expect(chooseTargetHost({ flag: 'ssh://b@srv', flagAddress: '10.0.0.5', scenario: { docker: 'tcp://1.2.3.4', address: '1.2.3.4' }, env: {} })?.address).toBe('10.0.0.5');
  });
  it('uses the scenario, then a remote DOCKER_HOST; a loopback DOCKER_HOST is this machine', () => {
    expect(chooseTargetHost({ scenario: { docker: 'ssh://b@srv', address: '10.0.0.5' }, env: {} })).toEqual({ engine: 'ssh://b@srv', address: '10.0.0.5', from: 'hosts.targets' });
    expect(chooseTargetHost({ env: { DOCKER_HOST: 'tcp://10.0.0.7:2375' } })?.address).toBe('10.0.0.7');
    expect(chooseTargetHost({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } })).toBeNull();
    expect(chooseTargetHost({ env: {} })).toBeNull();
  });
  it('refuses an unknown or non-IP address', () => {
    expect(() => chooseTargetHost({ flag: 'ssh://b@srv', env: {} })).toThrow(/address on ssh:\/\/srv \(--target-host\) is unknown/);
    expect(() => chooseTargetHost({ flag: 'ssh://b@srv', flagAddress: 'srv.example', env: {} })).toThrow(/not an IP address/);
    expect(() => chooseTargetHost({ flagAddress: '10.0.0.5', env: {} })).toThrow(/without a target host/);
  });
});

describe('localAddressesFromFibTrie', () => {
  it('returns the /32 host LOCAL entries only', () => {
    const trie = [
      'Main:',
      '  +-- 0.0.0.0/0 3 0 5',
      '     |-- 127.0.0.1',
      '        /32 host LOCAL',
      '     |-- 198.18.0.0',
      '        /30 link UNICAST',
      '     |-- 198.18.0.2',
      '        /32 host LOCAL',
      '     |-- 198.18.0.3',
      '        /32 link BROADCAST',
      'Local:',
      '     |-- 198.18.0.2',
      '        /32 host LOCAL',
    ].join('\n');
    expect(localAddressesFromFibTrie(trie)).toEqual(['127.0.0.1', '198.18.0.2']);
  });
});

describe('scenario hosts', () => {
  it('reads hosts.targets and refuses a name as address', () => {
    expect(scenarioHosts('name: x\nhosts: { targets: { docker: "tcp://10.0.0.5:2375", address: "10.0.0.5" } }\n', 's.yaml')).toEqual({
      targets: { docker: 'tcp://10.0.0.5:2375', address: '10.0.0.5' },
    });
    expect(scenarioHosts('name: x\n', 's.yaml')).toBeUndefined();
    expect(() => scenarioHosts('hosts: { targets: { docker: "tcp://x", address: "server" } }\n', 's.yaml')).toThrow(ConfigError);
  });
});

describe('chooseTargetHost with Docker contexts', () => {
  it('takes the address from the context\'s engine URL, for --target-host NAME and DOCKER_CONTEXT', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hb-ctx-'));
    const id = createHash('sha256').update('bench').digest('hex');
    await mkdir(path.join(dir, 'contexts', 'meta', id), { recursive: true });
    await writeFile(path.join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Endpoints: { docker: { Host: 'ssh://bench@10.0.0.5' } } }));
    expect(chooseTargetHost({ flag: 'bench', env: {}, dockerConfigDir: dir })).toEqual({ engine: 'bench', address: '10.0.0.5', from: '--target-host' });
    expect(chooseTargetHost({ env: { DOCKER_CONTEXT: 'bench' }, dockerConfigDir: dir })).toEqual({ engine: 'bench', address: '10.0.0.5', from: 'DOCKER_CONTEXT' });
    expect(chooseTargetHost({ env: { DOCKER_CONTEXT: 'default' }, dockerConfigDir: dir })).toBeNull();
  });
});

describe('lostEngineError', () => {
  const endpoint = engineOptions('tcp://198.18.0.2:2375');
  const engine = (ping: () => Promise<unknown>) => ({ docker: { ping } as never, endpoint });

  it('names the engine in one line (exit 3) when it no longer answers, whatever error the run ended with', async () => {
    const cause = new InfrastructureError('could not remove container abc: connect ECONNREFUSED 198.18.0.2:2375\nmore');
    for (const error of [cause, null]) {
      const lost = await lostEngineError(engine(() => Promise.reject(new Error('connect ECONNREFUSED 198.18.0.2:2375\nstack'))), error);
      expect(lost).toBeInstanceOf(InfrastructureError);
      expect((lost as InfrastructureError).exitCode).toBe(3);
      expect((lost as InfrastructureError).message).toBe("the target host's Docker engine tcp://198.18.0.2:2375 stopped answering during the run (connect ECONNREFUSED 198.18.0.2:2375)");
      if (error) expect((lost as InfrastructureError).cause).toBe(error);
      else expect((lost as InfrastructureError).cause).toBeInstanceOf(Error);
    }
    const silent = await lostEngineError(engine(() => new Promise(() => {})), null, 20);
    expect((silent as Error).message).toMatch(/stopped answering during the run \(no answer within 20 ms\)$/);
  });

  it('keeps the error when the engine answers, and never pings for an interrupt or bad input', async () => {
    const failed = new TargetError('1 target run(s) failed');
    expect(await lostEngineError(engine(() => Promise.resolve('OK')), failed)).toBe(failed);
    expect(await lostEngineError(engine(() => Promise.resolve('OK')), null)).toBeNull();
    let pinged = 0;
    const counting = engine(() => {
      pinged++;
      return Promise.reject(new Error('down'));
    });
    const interrupt = new InterruptedError('SIGINT');
    const bad = new ConfigError('bad');
    expect(await lostEngineError(counting, interrupt)).toBe(interrupt);
    expect(await lostEngineError(counting, bad)).toBe(bad);
    expect(pinged).toBe(0);
  });
});
