import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContextTar, DockerIgnore, packTar, patternToRegExp } from '../../../src/targets/build-context.ts';

describe('patternToRegExp', () => {
  it('keeps * inside one path segment and lets **/ span several', () => {
    expect(patternToRegExp('docker/*.Dockerfile').test('docker/go-chi.Dockerfile')).toBe(true);
    expect(patternToRegExp('docker/*.Dockerfile').test('docker/x/go-chi.Dockerfile')).toBe(false);
    expect(patternToRegExp('**/__pycache__').test('__pycache__')).toBe(true);
    expect(patternToRegExp('**/__pycache__').test('a/b/__pycache__')).toBe(true);
    expect(patternToRegExp('a?c').test('abc')).toBe(true);
    expect(patternToRegExp('[!a]bc').test('abc')).toBe(false);
  });
});

describe('DockerIgnore', () => {
  const allowList = new DockerIgnore(['# allow-list', '*', '!targets/go-chi/', '!docker/*.Dockerfile', '**/__pycache__', 'targets/go-chi/*_test.go'].join('\n'));

  it('re-includes a directory below an ignored parent, last match wins', () => {
    expect(allowList.ignores('node_modules/x/index.js')).toBe(true);
    expect(allowList.ignores('targets/go-chi/main.go')).toBe(false);
    expect(allowList.ignores('targets/go-chi/main_test.go')).toBe(true);
    expect(allowList.ignores('targets/go-chi/__pycache__/x.pyc')).toBe(true);
    expect(allowList.ignores('targets/fastapi/app/main.py')).toBe(true);
    expect(allowList.ignores('docker/go-chi.Dockerfile')).toBe(false);
    expect(allowList.ignores('docker/README.md')).toBe(true);
  });

  it('prunes only directories no exception can reach', () => {
    expect(allowList.canPrune('node_modules')).toBe(true);
    expect(allowList.canPrune('targets')).toBe(false);
    expect(allowList.canPrune('docker')).toBe(false);
  });

  it('keeps everything without patterns', () => {
    expect(new DockerIgnore('').ignores('a/b')).toBe(false);
  });
});

describe('packTar', () => {
  it('writes a tar that GNU tar lists, with long paths split into the ustar prefix', () => {
    const long = `${'d'.repeat(90)}/${'f'.repeat(60)}.txt`;
    const tar = packTar([
      { name: 'dir', type: 'directory', mode: 0o755, mtimeMs: 0, data: Buffer.alloc(0) },
      { name: 'dir/a.txt', type: 'file', mode: 0o644, mtimeMs: 1_000_000, data: Buffer.from('hello') },
      { name: long, type: 'file', mode: 0o600, mtimeMs: 0, data: Buffer.alloc(513, 1) },
    ]);
    expect(tar.length % 512).toBe(0);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hb-tar-')), 'ctx.tar');
    writeFileSync(file, tar);
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['dir/', 'dir/a.txt', long]);
    expect(execFileSync('tar', ['-xOf', file, 'dir/a.txt'], { encoding: 'utf8' })).toBe('hello');
  });
});

describe('buildContextTar on this repository', () => {
  it('sends only what the Dockerfiles copy, plus extra in-memory files', async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const extra = { name: 'docker/extra-ca/extra-ca.crt', type: 'file' as const, mode: 0o644, mtimeMs: 0, data: Buffer.from('pem') };
    const { files } = await buildContextTar(root, [extra]);
    expect(files).toContain('docker/go-chi.Dockerfile');
    expect(files).toContain('targets/fastapi/app/main.py');
    expect(files).toContain('targets/go-chi/go.sum');
    expect(files).toContain('docker/extra-ca/extra-ca.crt');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('src/') || f.startsWith('.git/'))).toBe(false);
    expect(files.some((f) => f.endsWith('_test.go') || f.includes('__pycache__'))).toBe(false);
  });
});
