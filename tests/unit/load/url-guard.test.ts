import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { checkLoadUrl, guardLoadUrl, isLoopbackAddress, type Resolver } from '../../../src/load/url-guard.ts';

/** A resolver playing a hosts file: unknown names fail as getaddrinfo does. */
function hostsFile(entries: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = entries[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '[::1]', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '::ffff:7fff:ffff', '0:0:0:0:0:ffff:7f00:2'])(
    '%s is loopback',
    (h) => expect(isLoopbackAddress(h)).toBe(true),
  );
  it.each(['128.0.0.1', '10.0.0.1', '0.0.0.0', '::', '[::2]', '::ffff:10.0.0.1', '::ffff:a00:1', '::127.0.0.1', 'localhost', 'evil.localhost', '127.0.0.1.nip.io', '1::1'])(
    '%s is not loopback',
    (h) => expect(isLoopbackAddress(h)).toBe(false),
  );
});

describe('checkLoadUrl', () => {
  it('accepts http and https URLs', () => {
    expect(checkLoadUrl('http://127.0.0.1:8000/users/1').port).toBe('8000');
    expect(checkLoadUrl('https://localhost/').hostname).toBe('localhost');
  });
  it('refuses other schemes, junk and credentials with a ConfigError', () => {
    for (const bad of ['ftp://127.0.0.1/', 'file:///etc/passwd', 'not a url', '127.0.0.1:8000', 'http://u:p@127.0.0.1/']) {
      expect(() => checkLoadUrl(bad), bad).toThrow(ConfigError);
    }
  });
});

describe('guardLoadUrl: judged by address, never by name', () => {
  it('refuses a *.localhost name that a hosts file maps to a remote address, before any connection', async () => {
    const resolve = hostsFile({ 'evil.localhost': ['10.255.255.1'] });
    const error = await refusal(guardLoadUrl('http://evil.localhost:18080/', { resolve }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('refusing to send load to evil.localhost: not a loopback address (evil.localhost resolves to 10.255.255.1)');
    expect(error.hint).toContain('--allow-remote');
    expect(resolve.asked).toEqual(['evil.localhost']);
  });

  it('refuses a name with one remote address among loopback ones', async () => {
    const resolve = hostsFile({ 'mixed.test': ['127.0.0.1', '192.0.2.7'] });
    const error = await refusal(guardLoadUrl('http://mixed.test/', { resolve }));
    expect(error.message).toContain('resolves to 192.0.2.7');
  });

  it('allows a name that resolves only to loopback and returns the checked address to connect to', async () => {
    const resolve = hostsFile({ localhost: ['::1', '127.0.0.1'], 'bench.test': ['127.0.0.9'] });
    expect(await guardLoadUrl('http://localhost:8000/', { resolve })).toMatchObject({ address: '::1', addresses: ['::1', '127.0.0.1'] });
    expect((await guardLoadUrl('http://bench.test:8000/x', { resolve })).address).toBe('127.0.0.9');
  });

  it('allows IPv4-mapped loopback literals without a lookup', async () => {
    const resolve = hostsFile({});
    const guarded = await guardLoadUrl('http://[::ffff:127.0.0.1]:8000/', { resolve });
    expect(guarded.address).toBe('::ffff:7f00:1');
    expect((await guardLoadUrl('http://[::1]:9000/', { resolve })).address).toBe('::1');
    expect(resolve.asked).toEqual([]);
  });

  it('refuses remote literals unless allowed, and still returns the address when allowed', async () => {
    const resolve = hostsFile({ 'example.com': ['192.0.2.10'] });
    expect((await refusal(guardLoadUrl('http://192.0.2.1/', { resolve }))).message).toBe('refusing to send load to 192.0.2.1: not a loopback address');
    expect((await refusal(guardLoadUrl('http://[::ffff:10.0.0.1]/', { resolve }))).message).toContain('not a loopback address');
    expect((await guardLoadUrl('http://example.com/', { allowRemote: true, resolve })).address).toBe('192.0.2.10');
  });

  it('turns an unresolvable name into a ConfigError with a hint', async () => {
    const error = await refusal(guardLoadUrl('http://nowhere.test/', { resolve: hostsFile({}) }));
    expect(error.message).toBe('cannot resolve nowhere.test (ENOTFOUND)');
    expect(error.hint).toContain('127.0.0.1');
  });
});

describe('guardLoadUrl: several loopback addresses', () => {
  it('picks the one that listens (localhost → ::1 first, server on 127.0.0.1 only)', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const resolve = hostsFile({ localhost: ['::1', '127.0.0.1'] });
      expect((await guardLoadUrl(`http://localhost:${port}/`, { resolve })).address).toBe('127.0.0.1');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('guardLoadUrl: the address a scenario names as its target host', () => {
  it('is allowed; any other remote address still is not', async () => {
    expect((await guardLoadUrl('http://198.18.0.2:20001/', { allowAddresses: ['198.18.0.2'] })).address).toBe('198.18.0.2');
    await expect(guardLoadUrl('http://198.18.0.3:20001/', { allowAddresses: ['198.18.0.2'] })).rejects.toThrow(/not a loopback address/);
  });
});
