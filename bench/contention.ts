/**
 * `npm run bench:contention`: does a run know when it was not alone? Issue 23's goal, as a script:
 * quiet default runs mark no step contended, and a default run with a CPU hog on the generator's CPU
 * marks every step it measured, with the headline saying so.
 *
 * 1. --quiet N (default 3): N default runs (`httpbench run`, the default scenario) one after another,
 *    with nothing else running (the caller's part). Every contended step is a false mark.
 * 2. --hog (default; --no-hog leaves it out): one default run with a busy loop pinned to --hog-cpu
 *    (default 0, the generator's CPU on a 2-CPU machine) for its whole length. The loop ends by itself
 *    after --hog-s seconds (default 1200) and is killed when the run ends. Every measured step not
 *    marked is a miss.
 * Resumable: a run directory OUT/<name> that already holds a run.json is read, not run again (runs
 * made by hand can be placed there). Results: Markdown on stdout and OUT/contention-bench.md.
 * Flags: --quiet N, --no-hog, --hog-cpu N, --hog-s S, --out DIR (default results/contention-bench-<UTC>).
 */
import { execa, type ResultPromise } from 'execa';
import { access, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunDocument } from '../src/schema/io.ts';
import { marksRow, runMarks } from './contention-lib.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const whole = (name: string, fallback: number, max: number): number => {
  const n = Number(flag(name) ?? fallback);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be a whole number from 0 to ${max}`);
  return n;
};
const QUIET = whole('quiet', 3, 20);
const HOG = !args.includes('--no-hog');
const HOG_CPU = whole('hog-cpu', 0, os.cpus().length - 1);
const HOG_S = whole('hog-s', 1200, 3600);
const OUT = path.resolve(flag('out') ?? path.join(root, 'results', `contention-bench-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z')}`));

/** A busy loop pinned to `cpu` that ends by itself after `seconds`. */
function hog(cpu: number, seconds: number): ResultPromise {
  const code = `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end) {}`;
  return execa('taskset', ['-c', String(cpu), process.execPath, '-e', code], { reject: false, timeout: (seconds + 10) * 1000 });
}

async function run(name: string, withHog: boolean): Promise<{ name: string; wallS: number | null }> {
  const out = path.join(OUT, name);
  if (await access(path.join(out, 'run.json')).then(() => true, () => false)) return { name, wallS: null };
  const loop = withHog ? hog(HOG_CPU, HOG_S) : null;
  const started = performance.now();
  process.stderr.write(`[bench:contention] ${name}: httpbench run --out ${out}${withHog ? ` (hog on CPU ${HOG_CPU}, pid ${loop?.pid})` : ''}\n`);
  try {
    const r = await execa('node', [path.join(root, 'bin', 'httpbench.js'), 'run', '--out', out], { cwd: root, reject: false, all: true });
    await writeFile(path.join(OUT, `${name}.log`), r.all ?? '');
    process.stderr.write(`[bench:contention] ${name}: exit ${r.exitCode}\n`);
  } finally {
    loop?.kill('SIGKILL');
    await loop;
  }
  return { name, wallS: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const runs: Array<{ name: string; kind: 'quiet' | 'hog'; wallS: number | null }> = [];
  for (let i = 1; i <= QUIET; i++) runs.push({ ...(await run(`quiet-${i}`, false)), kind: 'quiet' });
  if (HOG) runs.push({ ...(await run('hog', true)), kind: 'hog' });

  const lines = [
    `# bench:contention — ${new Date().toISOString()}`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}.`,
    `Command: \`npm run bench:contention -- ${args.join(' ')}\`.`,
    '',
    '| run | kind | steps measured | marked | max other, % | max steal, % | headline says so | wrong |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of runs) {
    const doc = await readRunDocument(path.join(OUT, r.name)).catch((error: Error) => error);
    lines.push(doc instanceof Error ? `| ${r.name} | ${r.kind} | — | — | — | — | — | unreadable: ${doc.message} |` : marksRow(r.name, r.kind, runMarks(doc)));
  }
  lines.push('', `Wall time per run, s: ${runs.map((r) => `${r.name} ${r.wallS === null ? 'read' : r.wallS.toFixed(0)}`).join(', ')}.`);
  const text = `${lines.join('\n')}\n`;
  await writeFile(path.join(OUT, 'contention-bench.md'), text);
  process.stdout.write(text);
}

await main();
