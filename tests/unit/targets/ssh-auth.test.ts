import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { isEncryptedKey, knownHostKeys, sshOptions } from '../../../src/targets/engine/ssh-auth.ts';

/** An OpenSSH private key's armour around "openssh-key-v1\0" + the cipher name (the rest does not matter here). */
function opensshKey(cipher: string): string {
  const name = Buffer.from(cipher);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), length, name, Buffer.alloc(24)]).toString('base64');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

const BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIPnLyAjX73qjQsDdbkTyyFCQVh7ep2kpvur4mOFgNzaK';
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIOLqSiH+b68MpX2fGi3px9mL/CiX4UEpUOdmmhAYR4Sx';
/** Written by `ssh-keygen -H` for "198.18.0.2" and "[10.0.0.5]:2222" (the same public key). */
const HASHED = [
  `|1|8TFiyufmBR664qRVnjCI4rLj1/Y=|2puFl0k8VQtjhQskuY5F/dwjfUU= ssh-ed25519 ${BLOB}`,
  `|1|Pcbk0jpBX3CLVBgx5M8XA+4zQLU=|QSaF0CZV+XxFqwWIGaMtMJ70AzA= ssh-ed25519 ${BLOB}`,
].join('\n');

describe('isEncryptedKey', () => {
  it('reads the cipher of OpenSSH keys and the PEM markers', () => {
    expect(isEncryptedKey(opensshKey('none'))).toBe(false);
    expect(isEncryptedKey(opensshKey('aes256-ctr'))).toBe(true);
    expect(isEncryptedKey('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----')).toBe(true);
    expect(isEncryptedKey('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----')).toBe(true);
    expect(isEncryptedKey('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----')).toBe(false);
  });
});

describe('knownHostKeys', () => {
  it('finds hashed entries by host, and by [host]:port off port 22', () => {
    expect(knownHostKeys(HASHED, '198.18.0.2', 22).map((k) => k.blob.toString('base64'))).toEqual([BLOB]);
    expect(knownHostKeys(HASHED, '10.0.0.5', 2222)).toHaveLength(1);
    expect(knownHostKeys(HASHED, '10.0.0.5', 22)).toEqual([]);
    expect(knownHostKeys(HASHED, '198.18.0.3', 22)).toEqual([]);
  });
  it('finds plain entries in comma lists, skips comments and markers', () => {
    const text = [`# a comment`, `server,10.0.0.5 ssh-ed25519 ${BLOB}`, `@revoked 10.0.0.5 ssh-ed25519 ${OTHER}`, `other ssh-rsa ${OTHER}`, ''].join('\n');
    expect(knownHostKeys(text, '10.0.0.5', 22)).toEqual([{ type: 'ssh-ed25519', blob: Buffer.from(BLOB, 'base64') }]);
    expect(knownHostKeys(text, 'server', 22)).toHaveLength(1);
    expect(knownHostKeys(text, 'other', 22).map((k) => k.type)).toEqual(['ssh-rsa']);
  });
});

describe('sshOptions', () => {
  async function home(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hb-ssh-'));
    await mkdir(path.join(dir, '.ssh'));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, '.ssh', name), text);
    return dir;
  }

  it('HTTPBENCH_SSH_KEY is the only key tried when set; the agent comes next; then the first unencrypted default key', async () => {
    const dir = await home({ id_ed25519: opensshKey('aes256-ctr'), id_ecdsa: opensshKey('none'), explicit: opensshKey('none') });
    const explicit = sshOptions('h', 22, { HTTPBENCH_SSH_KEY: path.join(dir, '.ssh', 'explicit'), SSH_AUTH_SOCK: '/agent' }, dir);
    expect(explicit.privateKey?.toString()).toBe(opensshKey('none'));
    expect(explicit.agent).toBeUndefined();
    expect(sshOptions('h', 22, { SSH_AUTH_SOCK: '/agent' }, dir)).toMatchObject({ agent: '/agent' });
    expect(sshOptions('h', 22, { SSH_AUTH_SOCK: '/agent' }, dir).privateKey).toBeUndefined();
    // id_ed25519 has a passphrase: skipped for id_ecdsa.
    expect(sshOptions('h', 22, {}, dir).privateKey?.toString()).toBe(opensshKey('none'));
    expect(sshOptions('h', 22, {}, await home({})).privateKey).toBeUndefined();
  });

  it('refuses an unreadable or encrypted HTTPBENCH_SSH_KEY without printing where it is', async () => {
    const dir = await home({ locked: opensshKey('aes256-ctr') });
    const missing = path.join(dir, 'secret-place', 'key');
    expect(() => sshOptions('h', 22, { HTTPBENCH_SSH_KEY: missing }, dir)).toThrow(ConfigError);
    for (const file of [missing, path.join(dir, '.ssh', 'locked')]) {
      try {
        sshOptions('h', 22, { HTTPBENCH_SSH_KEY: file }, dir);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect(`${(error as ConfigError).message} ${(error as ConfigError).hint}`).not.toContain(dir);
      }
    }
  });

  it('accepts only the host key known_hosts has for the host, and asks for its type', async () => {
    const dir = await home({ known_hosts: HASHED });
    const known = sshOptions('198.18.0.2', 22, {}, dir);
    expect(known.hostVerifier(Buffer.from(BLOB, 'base64'))).toBe(true);
    expect(known.hostVerifier(Buffer.from(OTHER, 'base64'))).toBe(false);
    expect(known.algorithms).toEqual({ serverHostKey: ['ssh-ed25519'] });
    // Unknown host: refused, never trusted on first use.
    expect(sshOptions('198.18.0.9', 22, {}, dir).hostVerifier(Buffer.from(BLOB, 'base64'))).toBe(false);
    // HTTPBENCH_SSH_KNOWN_HOSTS replaces ~/.ssh/known_hosts.
    const elsewhere = path.join(await home({}), 'kh');
    await writeFile(elsewhere, `198.18.0.9 ssh-rsa ${OTHER}\n`);
    const rsa = sshOptions('198.18.0.9', 22, { HTTPBENCH_SSH_KNOWN_HOSTS: elsewhere }, dir);
    expect(rsa.hostVerifier(Buffer.from(OTHER, 'base64'))).toBe(true);
    expect(rsa.algorithms).toEqual({ serverHostKey: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] });
  });
});
