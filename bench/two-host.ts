/**
 * `npm run bench:two-host`: the same quick run on one host and on two, side by side. Sets up the
 * network-namespace rig (scripts/two-host-rig.sh: a target namespace with its own dockerd and sshd, a
 * load namespace, a veth between them), runs `httpbench run --quick` once from here against
 * 127.0.0.1 and once from the load namespace against the target namespace's engine over ssh, prints
 * both runs' figures side by side (max throughput, p50/p99 at the rates both measured, the network
 * floor) with the commands it ran, and tears the rig down whatever happened. Root only. Each run is
 * bounded (--timeout-min, default 20); both run.json files and the table stay in --out.
 *
 * Flags: --scenario FILE (default: --quick) --targets a,b --out DIR --timeout-min N --image-tag T
 * (default two-host-bench: the single-host run never replaces the images other runs measure).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { comparisonRows, formatRows, parseTwoHostArgs, type RunFigures } from './two-host-lib.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RIG = path.join(ROOT, 'scripts', 'two-host-rig.sh');
const BIN = path.join(ROOT, 'bin', 'httpbench.js');
/** What scripts/two-host-rig.sh makes (its ssh user, throwaway key and the host key it wrote). */
const SSH_ENGINE = 'ssh://hbrig@198.18.0.2';
const SSH_ENV = { HTTPBENCH_SSH_KEY: '/run/hb-target/ssh/id_ed25519', HTTPBENCH_SSH_KNOWN_HOSTS: '/run/hb-target/ssh/known_hosts' };

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

async function main(): Promise<number> {
  const args = parseTwoHostArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('needs root: network namespaces and a second dockerd');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = path.resolve(args.out ?? path.join(ROOT, 'results', `two-host-bench-${stamp}`));
  await mkdir(outDir, { recursive: true });
  const common = ['run', ...(args.scenario ? ['--scenario', args.scenario] : ['--quick']), ...(args.targets ? ['--targets', args.targets] : []), '--image-tag', args.imageTag];
  const commands: string[] = [];
  // Ctrl-C reaches the runs too (same process group): they clean up and exit; the rig still goes.
  // A SIGTERM is for this process only: it is passed on to the run under way.
  let interrupted = false;
  let current: ResultPromise | null = null;
  process.on('SIGINT', () => {
    interrupted = true;
  });
  process.on('SIGTERM', () => {
    interrupted = true;
    current?.kill('SIGTERM');
  });

  const step = async (file: string, argv: string[], opts: { env?: Record<string, string>; timeoutMs: number }) => {
    const shown = [...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`), file, ...argv].map(quote).join(' ');
    commands.push(shown);
    process.stderr.write(`\n$ ${shown}\n`);
    const child = execa(file, argv, { cwd: ROOT, reject: false, stdio: ['ignore', 'inherit', 'inherit'], timeout: opts.timeoutMs, forceKillAfterDelay: 30_000, env: { HTTPBENCH_DEBUG: '', ...opts.env } });
    current = child as unknown as ResultPromise;
    const r = await child;
    current = null;
    return r.timedOut ? `timed out after ${opts.timeoutMs / 60_000} min` : `exit ${r.exitCode ?? r.signal}`;
  };

  const singleDir = path.join(outDir, 'single-host');
  const twoDir = path.join(outDir, 'two-host');
  const outcomes: Record<string, string> = {};
  const runMs = args.timeoutMin * 60_000;
  try {
    outcomes.rig = await step('bash', [RIG, 'up'], { timeoutMs: 300_000 });
    if (outcomes.rig !== 'exit 0') throw new Error(`the rig did not come up (${outcomes.rig})`);
    if (!interrupted) outcomes.single = await step('node', [BIN, ...common, '--out', singleDir], { timeoutMs: runMs });
    if (!interrupted) {
      outcomes.two = await step('ip', ['netns', 'exec', 'hb-load', 'node', BIN, ...common, '--target-host', SSH_ENGINE, '--build-proxy', 'http://127.0.0.1:3128', '--out', twoDir], { env: SSH_ENV, timeoutMs: runMs });
    }
  } finally {
    outcomes.down = await step('bash', [RIG, 'down'], { timeoutMs: 120_000 });
  }

  const read = async (dir: string): Promise<RunFigures> => {
    try {
      return JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunFigures;
    } catch {
      return { status: 'no run.json', targets: [] };
    }
  };
  const table = formatRows(comparisonRows(await read(singleDir), await read(twoDir)));
  const text = [
    table,
    '',
    'commands:',
    ...commands.map((c) => `  $ ${c}`),
    '',
    `outcomes: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `results: ${path.relative(process.cwd(), outDir) || '.'}/ (single-host/, two-host/, comparison.txt)`,
  ].join('\n');
  await writeFile(path.join(outDir, 'comparison.txt'), `${text}\n`);
  process.stdout.write(`\n${text}\n`);
  return interrupted ? 130 : outcomes.single === 'exit 0' && outcomes.two === 'exit 0' && outcomes.down === 'exit 0' ? 0 : 1;
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`bench:two-host: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
