import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContextTar, DockerIgnore, packTar } from '../../../src/targets/image/build-context.ts';

/** A directory holding `files` (path → content), for contexts with exact expected file lists. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hb-ctx-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const LONG_DIR = `deep/${'d'.repeat(60)}`;
const LONG_FILE = `${LONG_DIR}/${'f'.repeat(70)}.txt`; // 140 bytes: beyond ustar's 100-byte name field

/**
 * The expected lists below were checked against Docker itself: `docker build` (CLI 28.2, classic
 * builder) of each fixture with `COPY . /ctx` and `find /ctx -type f` lists exactly these files.
 */
describe('buildContextTar with tricky .dockerignore patterns', () => {
  it('deny-list: **, a negation that re-includes one file, a directory glob, case-sensitive names, a long path', async () => {
    const root = fixture({
      '.dockerignore': ['# deny-list', 'node_modules', '**/*.log', '!keep.log', 'build/**', '!build/dist/app.js', '*.TMP'].join('\n'),
      'src/index.js': '1',
      'src/debug.log': '2',
      'keep.log': '3',
      'sub/keep.log': '4',
      'node_modules/m/index.js': '5',
      'build/tmp/a.o': '6',
      'build/dist/app.js': '7',
      'build/dist/app.js.map': '8',
      'notes.tmp': '9',
      'UPPER.TMP': '10',
      [LONG_FILE]: '11',
    });
    const { files } = await buildContextTar(root);
    expect(files).toEqual(['.dockerignore', 'build/dist/app.js', LONG_FILE, 'keep.log', 'notes.tmp', 'src/index.js']);
  });

  it('allow-list: `*` then exceptions, a wildcard exception, exclusions inside an exception', async () => {
    const root = fixture({
      '.dockerignore': ['*', '!docker/*.Dockerfile', '!targets/a/', 'targets/a/*_test.go', '**/__pycache__'].join('\n'),
      'README.md': '',
      'docker/a.Dockerfile': '',
      'docker/README.md': '',
      'docker/sub/b.Dockerfile': '',
      'targets/a/main.go': '',
      'targets/a/main_test.go': '',
      'targets/a/__pycache__/x.pyc': '',
      'targets/a/sub/util.go': '',
      'targets/b/main.go': '',
      'node_modules/m/index.js': '',
    });
    const { files } = await buildContextTar(root);
    expect(files).toEqual(['docker/a.Dockerfile', 'targets/a/main.go', 'targets/a/sub/util.go']);
  });

  it('extra in-memory files are added and replace same-named ones', async () => {
    const root = fixture({ '.dockerignore': '*\n!a.txt\n', 'a.txt': 'disk', 'b.txt': '' });
    const extra = { name: 'a.txt', type: 'file' as const, mode: 0o644, mtimeMs: 0, data: Buffer.from('memory') };
    const { tar, files } = await buildContextTar(root, [extra, { ...extra, name: 'gen/c.txt' }]);
    expect(files).toEqual(['a.txt', 'gen/c.txt']);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hb-tar-')), 'ctx.tar');
    writeFileSync(file, tar);
    expect(execFileSync('tar', ['-xOf', file, 'a.txt'], { encoding: 'utf8' })).toBe('memory');
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

  it("prunes by Docker's rule: only directories no exception pattern starts with", () => {
    expect(allowList.canPrune('node_modules')).toBe(true);
    expect(allowList.canPrune('targets')).toBe(false);
    expect(allowList.canPrune('targets/fastapi')).toBe(true);
    expect(allowList.canPrune('docker')).toBe(false);
  });

  it('keeps everything without patterns', () => {
    expect(new DockerIgnore('').ignores('a/b')).toBe(false);
  });
});

describe('packTar', () => {
  it('writes a tar that GNU tar lists, with a path beyond 255 bytes in a PAX header', async () => {
    const veryLong = `${'d'.repeat(200)}/${'f'.repeat(120)}.txt`;
    const tar = await packTar([
      { name: 'dir', type: 'directory', mode: 0o755, mtimeMs: 0, data: Buffer.alloc(0) },
      { name: 'dir/a.txt', type: 'file', mode: 0o644, mtimeMs: 1_000_000, data: Buffer.from('hello') },
      { name: 'dir/link', type: 'symlink', mode: 0o777, mtimeMs: 0, data: Buffer.alloc(0), linkTarget: 'a.txt' },
      { name: veryLong, type: 'file', mode: 0o600, mtimeMs: 0, data: Buffer.alloc(513, 1) },
    ]);
    expect(tar.length % 512).toBe(0);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hb-tar-')), 'ctx.tar');
    writeFileSync(file, tar);
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['dir/', 'dir/a.txt', 'dir/link', veryLong]);
    expect(execFileSync('tar', ['-xOf', file, 'dir/a.txt'], { encoding: 'utf8' })).toBe('hello');
    expect(execFileSync('tar', ['-xOf', file, veryLong]).length).toBe(513);
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
    expect(files).toContain('targets/fastify/src/app.js');
    expect(files).toContain('docker/extra-ca/extra-ca.crt');
    // src/ is in the context since the generator image (docker/generator.Dockerfile) copies it.
    expect(files.some((f) => f.includes('node_modules/') || f.startsWith('tests/') || f.startsWith('results/') || f.startsWith('.git/'))).toBe(false);
    expect(files.some((f) => f.endsWith('_test.go') || f.includes('__pycache__') || f.startsWith('targets/fastify/test/') || f.endsWith('/target.yaml'))).toBe(false);
  });
});
