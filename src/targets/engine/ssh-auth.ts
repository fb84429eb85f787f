/**
 * How an ssh:// target host is logged in to and checked, the way the docker CLI's `ssh` would do it
 * without a config file: a key (HTTPBENCH_SSH_KEY, else the agent, else the first unencrypted default
 * key in ~/.ssh) and the host's key from known_hosts (plain or hashed entries); an unknown or changed
 * host key is refused, never accepted silently. The result is options for ssh2 (through docker-modem).
 *
 * Key and known_hosts paths are never put in a message: where a credential lives is a credential.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../errors.ts';

/** The default identity files, in the order OpenSSH tries them. */
export const DEFAULT_KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'] as const;

/** The ssh2 part of dockerode's options for one ssh:// engine. */
export interface SshOptions {
  privateKey?: Buffer;
  agent?: string;
  hostVerifier: (key: Buffer) => boolean;
  /** Host key types to ask for: those known_hosts has for the host (else ssh2 may pick one it lacks). */
  algorithms?: { serverHostKey: string[] };
}

/** Whether a private key needs a passphrase (then only ssh-agent can use it here). Pure. */
export function isEncryptedKey(text: string): boolean {
  if (/Proc-Type:\s*4,ENCRYPTED|BEGIN ENCRYPTED PRIVATE KEY/.test(text)) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return false;
  const raw = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  // "openssh-key-v1\0", then the cipher name as a length-prefixed string: "none" = no passphrase.
  const magic = 'openssh-key-v1\0';
  if (raw.length < magic.length + 4 || raw.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const length = raw.readUInt32BE(magic.length);
  return raw.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1') !== 'none';
}

export interface KnownHostKey {
  /** As known_hosts names it: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa… */
  type: string;
  /** The public key blob, as the server sends it. */
  blob: Buffer;
}

/**
 * The keys known_hosts holds for `host` on `port` ("host" for 22, "[host]:port" otherwise, as
 * OpenSSH writes them), from plain and hashed (|1|salt|hmac) entries. Markers (@cert-authority,
 * @revoked), wildcards and negations are not understood: such lines never match. Pure.
 */
export function knownHostKeys(text: string, host: string, port: number): KnownHostKey[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: KnownHostKey[] = [];
  for (const line of text.split('\n')) {
    const [hosts, type, blob] = line.trim().split(/\s+/);
    if (!hosts || !type || !blob || hosts.startsWith('#') || hosts.startsWith('@')) continue;
    const matches = hosts.split(',').some((entry) => {
      if (!entry.startsWith('|1|')) return entry === name;
      const [, , salt, hash] = entry.split('|');
      return salt !== undefined && hash !== undefined && createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
    });
    if (matches) keys.push({ type, blob: Buffer.from(blob, 'base64') });
  }
  return keys;
}

/** known_hosts key type → the host key algorithms that prove it (RSA keys sign with SHA-2 too). */
function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * ssh2 options for `host`:`port`. HTTPBENCH_SSH_KEY (a private key file) is an explicit choice:
 * nothing else is tried; without it, the agent (SSH_AUTH_SOCK), else the first default key in ~/.ssh
 * that has no passphrase. Host keys from HTTPBENCH_SSH_KNOWN_HOSTS, else ~/.ssh/known_hosts.
 * Throws ConfigError for a key file that cannot be used.
 */
export function sshOptions(host: string, port: number, env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): SshOptions {
  const auth: Pick<SshOptions, 'privateKey' | 'agent'> = {};
  const explicit = env.HTTPBENCH_SSH_KEY;
  if (explicit) {
    const text = readOrNull(explicit);
    if (text === null) {
      throw new ConfigError('the private key file named by HTTPBENCH_SSH_KEY cannot be read', { hint: 'point HTTPBENCH_SSH_KEY at a readable private key, or unset it to use ssh-agent' });
    }
    if (isEncryptedKey(text)) {
      throw new ConfigError('the private key named by HTTPBENCH_SSH_KEY has a passphrase', { hint: 'load it into ssh-agent (ssh-add) and unset HTTPBENCH_SSH_KEY' });
    }
    auth.privateKey = Buffer.from(text);
  } else if (env.SSH_AUTH_SOCK) {
    auth.agent = env.SSH_AUTH_SOCK;
  } else {
    for (const name of DEFAULT_KEY_FILES) {
      const text = readOrNull(path.join(home, '.ssh', name));
      if (text !== null && !isEncryptedKey(text)) {
        auth.privateKey = Buffer.from(text);
        break;
      }
    }
  }
  const known = knownHostKeys(readOrNull(env.HTTPBENCH_SSH_KNOWN_HOSTS || path.join(home, '.ssh', 'known_hosts')) ?? '', host, port);
  return {
    ...auth,
    // No entry, or a different key: refused (the docker CLI's ssh in batch mode does the same).
    hostVerifier: (key) => known.some((k) => k.blob.equals(key)),
    ...(known.length > 0 ? { algorithms: { serverHostKey: [...new Set(known.flatMap((k) => algorithmsFor(k.type)))] } } : {}),
  };
}
