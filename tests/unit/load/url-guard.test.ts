import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { checkLoadUrl, isLoopbackHost } from '../../../src/load/url-guard.ts';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '[::1]', '::1', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST', 'localhost.', 'api.localhost', '[::ffff:127.0.0.1]'])(
    '%s is loopback',
    (h) => expect(isLoopbackHost(h)).toBe(true),
  );
  it.each(['128.0.0.1', '10.0.0.1', '0.0.0.0', 'example.com', 'localhost.example.com', '[::2]', '::', '[::ffff:10.0.0.1]', '127.0.0.1.nip.io'])(
    '%s is not loopback',
    (h) => expect(isLoopbackHost(h)).toBe(false),
  );
});

describe('checkLoadUrl', () => {
  it('accepts loopback http and https URLs', () => {
    expect(checkLoadUrl('http://127.0.0.1:8000/users/1').port).toBe('8000');
    expect(checkLoadUrl('https://localhost/').hostname).toBe('localhost');
    expect(checkLoadUrl('http://[::1]:9000/').hostname).toBe('[::1]');
  });
  it('refuses other schemes, junk and credentials with a ConfigError', () => {
    for (const bad of ['ftp://127.0.0.1/', 'file:///etc/passwd', 'not a url', '127.0.0.1:8000', 'http://u:p@127.0.0.1/']) {
      expect(() => checkLoadUrl(bad), bad).toThrow(ConfigError);
    }
  });
  it('refuses remote hosts unless allowed, with a hint naming the flag', () => {
    let caught: unknown;
    try {
      checkLoadUrl('http://example.com/');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).exitCode).toBe(2);
    expect((caught as ConfigError).hint).toContain('--allow-remote');
    expect(checkLoadUrl('http://example.com/', { allowRemote: true }).hostname).toBe('example.com');
  });
});
