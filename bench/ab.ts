/**
 * `npm run bench:ab`: does `httpbench ab` cry wolf, does it catch a 10 % regression, and how long
 * does one run take?
 *
 * 1. A/A: `httpbench ab --baseline HEAD --candidate HEAD` --aa times (the same variant twice). Every
 *    regression verdict is a false alarm: counted per metric and per run.
 * 2. Sizing, from the A/A runs' baseline medians (median over runs) of --target at --aim-rate (default:
 *    the scenario's highest rate, whose steps hold the most requests — a p99 of 2 s at 500 req/s rests
 *    on 10 responses, at 200 req/s on 4): +10 % p50 = EXTRA_WORK_US (--p50-knob wait: EXTRA_WAIT_US) of
 *    10 % of p50 (why a spin: see the sizing below); +10 % p99 =
 *    EXTRA_WAIT_US of 10 % of p99 (a constant wait moves p50 by more than 10 % then), or --p99-env K=V
 *    when probe runs showed that a wait cannot realise +10 % (see the sizing below; --p99-knob work
 *    sizes a spin of 10 % of p99 instead); −5 % max
 *    throughput = EXTRA_WORK_US of (1/0.95 − 1) × the CPU time per request (1e6 ÷ the closed-loop
 *    throughput the targets' CPU served: in a duet both sides' together). --injections picks which
 *    (default p50,p99,max): a target whose closed-loop step is generator-bound (go-chi on 2 vCPUs, some hours) has
 *    no throughput to catch.
 * 3. Power: --inject runs of each injected candidate (`--candidate HEAD --candidate-env K=V`), caught
 *    when the metric it aims at is a regression. The realised change (the run's own HL estimate) is
 *    reported beside it: a timer wait is not exact.
 *
 * Results: Markdown on stdout and OUT/ab-bench.md, every run's ab.json in OUT/<name>/.
 * Flags: --aa N (default 20), --inject M (default 10), --target NAME (default go-chi), --aim-rate R,
 * --injections p50,p99,max, --p50-knob work|wait, --p99-knob wait|work, --p99-env K=V,
 * --scenario FILE (default scenarios/ci.yaml), --out DIR (default results/ab-bench-<UTC>),
 * and any further flags after `--` go to every `httpbench ab` (e.g. -- --trials 10).
 */
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeAb, pairedReadings } from '../src/ab/judge.ts';
import { metricDefs } from '../src/ab/metrics.ts';
import { noiseComponents, pairsForPower } from './ab-lib.ts';
import { served2xxRps } from '../src/analysis/metrics.ts';
import { AbDocumentSchema, type AbDocument } from '../src/ab/schema.ts';
import { median } from '../src/util/stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dash = process.argv.indexOf('--');
const own = dash >= 0 ? process.argv.slice(2, dash) : process.argv.slice(2);
const passThrough = dash >= 0 ? process.argv.slice(dash + 1) : [];
const flag = (name: string): string | undefined => {
  const i = own.indexOf(`--${name}`);
  return i >= 0 ? own[i + 1] : undefined;
};
const whole = (name: string, fallback: number): number => {
  const n = Number(flag(name) ?? fallback);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0`);
  return n;
};
/** --p50-knob / --p99-knob: which injection makes the latency change, a CPU spin or a timer wait. */
const knob = (name: string, fallback: 'work' | 'wait'): 'EXTRA_WORK_US' | 'EXTRA_WAIT_US' => {
  const given = flag(name) ?? fallback;
  if (given !== 'work' && given !== 'wait') throw new Error(`--${name} must be work or wait, not ${given}`);
  return given === 'wait' ? 'EXTRA_WAIT_US' : 'EXTRA_WORK_US';
};
const AA = whole('aa', 20);
const INJECT = whole('inject', 10);
const TARGET = flag('target') ?? 'go-chi';
const SCENARIO = flag('scenario') ?? 'scenarios/ci.yaml';
const INJECTIONS = (flag('injections') ?? 'p50,p99,max').split(',');
const unknownInjection = INJECTIONS.find((i) => !['p50', 'p99', 'max'].includes(i));
if (unknownInjection) throw new Error(`--injections: ${unknownInjection} is not one of p50, p99, max`);
const OUT = path.resolve(flag('out') ?? path.join(root, 'results', `ab-bench-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z')}`));

interface RunRecord {
  name: string;
  exitCode: number;
  doc: AbDocument | null;
  wallS: number;
}

async function ab(name: string, extra: string[]): Promise<RunRecord> {
  const out = path.join(OUT, name);
  // Resumable: a run that already completed is read, not re-measured.
  const kept = await readFile(path.join(out, 'ab.json'), 'utf8').then((t) => AbDocumentSchema.parse(JSON.parse(t)), () => null);
  if (kept?.status === 'completed' && kept.result) {
    const outcome = kept.result.outcome;
    return { name, exitCode: outcome === 'pass' ? 0 : outcome === 'regression' ? 1 : 4, doc: kept, wallS: kept.durationS ?? 0 };
  }
  const started = performance.now();
  const args = [path.join(root, 'bin', 'httpbench.js'), 'ab', '--baseline', 'HEAD', '--candidate', 'HEAD', '--scenario', SCENARIO, '--targets', TARGET, '--out', out, '--no-step-summary', ...extra, ...passThrough];
  process.stderr.write(`[bench:ab] ${name}: node ${args.slice(1).join(' ')}\n`);
  const r = await execa('node', args, { cwd: root, reject: false, all: true });
  const wallS = (performance.now() - started) / 1000;
  await writeFile(path.join(OUT, `${name}.log`), r.all ?? '');
  const doc = await readFile(path.join(out, 'ab.json'), 'utf8').then((t) => AbDocumentSchema.parse(JSON.parse(t)), () => null);
  process.stderr.write(`[bench:ab] ${name}: exit ${r.exitCode} in ${wallS.toFixed(0)} s\n`);
  // Bad input (exit 2) would be refused by every later run too: stop here with its reason instead of
  // a report of empty runs.
  if (r.exitCode === 2) throw new Error(`${name}: httpbench ab refused its input (exit 2): ${(r.stderr ?? '').split('\n')[0]} (log: ${path.join(OUT, `${name}.log`)})`);
  return { name, exitCode: r.exitCode ?? -1, doc, wallS };
}

// Every run is judged again by this tree's judge, so a series measured across a change of the rules
// is read with one rule (the trials hold every step: judging re-measures nothing).
const judged = (r: RunRecord) => (r.doc?.status === 'completed' ? judgeAb(r.doc.trials, r.doc.settings) : null);
const metricsOf = (r: RunRecord) => judged(r)?.groups.flatMap((g) => g.metrics) ?? [];
const outcomeOf = (r: RunRecord) => judged(r)?.outcome ?? `exit ${r.exitCode}`;

/**
 * Where the A/A runs' noise comes from, per metric (bench/ab-lib.ts): sampling within a run (more
 * pairs shrink it) or a per-run component (they do not), and the pairs one run would need to catch the
 * issue's changes (+10 % latency, −5 % throughput) in 9 of 10 runs, with the time at this series' pace.
 */
function noiseSection(aa: readonly RunRecord[]): string[] {
  const docs = aa.flatMap((r) => (r.doc?.status === 'completed' ? [r.doc] : []));
  if (docs.length === 0) return [];
  const wallPerPairS = median(aa.flatMap((r) => (r.doc && r.doc.settings.pairs > 0 ? [r.wallS / r.doc.settings.pairs] : [])));
  const out = [
    '### Where the A/A noise comes from',
    '',
    'Per metric, the paired log(B ÷ A) of every A/A run: its sd between pairs of one run (sampling: more pairs shrink it as 1/√n), the sd of a per-run component that more pairs cannot shrink (one-way random effects; F ≈ 1 when runs differ by sampling alone), and the pairs one run would need to catch the issue\'s change (+10 % latency, −5 % throughput) in 9 of 10 runs (normal approximation; "never" when the per-run component alone is too wide).',
    '',
    '| metric | runs | pairs | sd within a run, % | per-run sd, % | F | pairs for 9 in 10 (≈ min) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const def of metricDefs(docs[0]!.settings.ratesRps)) {
    const perRun = docs.map((d) => {
      const { baseline, candidate } = pairedReadings(def, d.trials);
      return baseline.map((a, i) => Math.log(candidate[i]! / a));
    });
    const c = noiseComponents(perRun);
    if (!c) continue;
    const change = def.kind === 'latency' ? 10 : -5;
    const n = pairsForPower(c, change);
    const time = n === null ? 'never' : `${n}${wallPerPairS === null ? '' : ` (≈ ${((n * wallPerPairS) / 60).toFixed(0)} min)`}`;
    out.push(`| ${def.id} | ${c.runs} | ${c.pairs} | ${c.withinSdPercent.toFixed(1)} | ${c.betweenSdPercent.toFixed(1)} | ${c.f?.toFixed(2) ?? '—'} | ${time} |`);
  }
  return out;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const aa: RunRecord[] = [];
  for (let i = 1; i <= AA; i++) aa.push(await ab(`aa-${String(i).padStart(2, '0')}`, []));
  const rates = aa.find((r) => r.doc)?.doc?.settings.ratesRps ?? [];
  const rate = flag('aim-rate') !== undefined ? Number(flag('aim-rate')) : rates.length > 0 ? Math.max(...rates) : undefined;
  // Sized from every baseline step of the A/A runs (generator-bound ones included: the judge leaves
  // those out, but a size only needs the order of magnitude).
  const baselineSteps = aa.flatMap((r) => r.doc?.trials.flatMap((t) => t.baseline.steps) ?? []);
  const atRate = baselineSteps.filter((s) => s.kind === 'rate' && s.offeredRps === rate);
  const lat = (p: 'p50' | 'p99') => median(atRate.map((s) => (s.latencyUs.corrected ?? s.latencyUs.uncorrected)?.[p]).filter((v): v is number => v !== undefined));
  const p50 = lat('p50');
  const p99 = lat('p99');
  const maxRps = median(baselineSteps.filter((s) => s.kind === 'max').map(served2xxRps));
  // The CPU time one request costs, from the closed loop. In a duet both containers share the targets'
  // CPUs during the max step, so a side's throughput is half of what that CPU serves: sized from one
  // side alone, EXTRA_WORK_US=20 for FastAPI (1e6 ÷ 2,600 req/s × 5.3 %) realised −12.5 %, not −5 %
  // (2026-12-03 19:40 UTC). Both sides' 2xx throughput per trial is what the CPU served.
  const duet = aa.find((r) => r.doc)?.doc?.settings.design === 'duet';
  const trials = aa.flatMap((r) => r.doc?.trials ?? []);
  const bothMaxRps = trials.flatMap((t) => {
    const [a, b] = [t.baseline.steps, t.candidate.steps].map((steps) => steps.find((s) => s.kind === 'max'));
    return a && b ? [served2xxRps(a) + served2xxRps(b)] : [];
  });
  const cpuServedRps = duet ? median(bothMaxRps) : maxRps;
  const injections: Array<{ name: string; env: string; aim: string; runs: RunRecord[] }> = [];
  // The p50 step is a CPU spin, not a wait: a sleeping wait lets the target's vCPU halt, and waking it
  // costs this VM ~60 µs whatever the wait (go-chi EXTRA_WAIT_US=20 moved p50 by +75–90 µs, 25–30 %),
  // so a wait cannot make a +10 % change of a 0.2–0.4 ms p50. At a low rate the CPU is otherwise idle
  // and a spin of d adds d to every response; --p50-knob wait measures the wait instead.
  const p50Knob = knob('p50-knob', 'work');
  if (p50 !== null && INJECTIONS.includes('p50')) injections.push({ name: 'p50+10', env: `${p50Knob}=${Math.max(1, Math.round(0.1 * p50))}`, aim: `rate-${rate}/p50`, runs: [] });
  // A wait of 10 % of p99 is not a +10 % p99 on this VM: go-chi EXTRA_WAIT_US=230 (10 % of a 2.3 ms
  // p99 at 500 req/s) realised +27…+51 % (bench/results/ab-2026-12-03-duet), and on a quieter host
  // (p99 0.61–0.69 ms) EXTRA_WAIT_US=60 and =120 realised +61 % and +69 % (`httpbench ab --candidate-env
  // EXTRA_WAIT_US=W --targets go-chi`, 2026-12-03 18:55 UTC): every wait pays the halt and wake-up of
  // the target's vCPU, more than a +10 % p99. --p99-env takes the injection a probe showed right
  // instead (e.g. EXTRA_WORK_US=65: a spin adds its length to every response at a low rate).
  // --p99-knob work sizes that spin from the A/A runs' own p99 (a probe's size goes stale when the
  // host's wake-up tail moves: go-chi's p99 at 500 req/s was 2.3 ms at 16:00 and 0.6 ms at 18:55).
  const p99Knob = knob('p99-knob', 'wait');
  const p99Env = flag('p99-env') ?? (p99 === null ? null : `${p99Knob}=${Math.max(1, Math.round(0.1 * p99))}`);
  if (p99Env !== null && !/^[A-Z_][A-Z0-9_]*=\S+$/.test(p99Env)) throw new Error(`--p99-env: ${p99Env} is not NAME=value`);
  if (p99Env !== null && INJECTIONS.includes('p99')) injections.push({ name: 'p99+10', env: p99Env, aim: `rate-${rate}/p99`, runs: [] });
  if (cpuServedRps !== null && INJECTIONS.includes('max')) injections.push({ name: 'max-5', env: `EXTRA_WORK_US=${Math.max(1, Math.round((1 / 0.95 - 1) * (1e6 / cpuServedRps)))}`, aim: 'max/throughput2xx', runs: [] });
  for (const inj of injections) for (let i = 1; i <= INJECT; i++) inj.runs.push(await ab(`${inj.name}-${String(i).padStart(2, '0')}`, ['--candidate-env', inj.env]));

  const lines: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  lines.push(`# bench:ab — ${new Date().toISOString()}`, '', `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  lines.push(`Command: \`npm run bench:ab -- ${own.join(' ')}${passThrough.length ? ` -- ${passThrough.join(' ')}` : ''}\` (target ${TARGET}, scenario ${SCENARIO}).`, '');
  // With the container started first named (A or B; "—" for runs made before the coin): the one
  // started second can keep an edge for its whole life (src/ab/order.ts startOrder).
  const firstOf = (r: RunRecord) => {
    const first = r.doc?.trials[0]?.startedFirst;
    return first === undefined ? '—' : first === 'baseline' ? 'A' : 'B';
  };
  const exits = (rs: RunRecord[]) => rs.map((r) => `${outcomeOf(r)} (${firstOf(r)} started first)`).join(', ');
  const walls = (rs: RunRecord[]) => rs.map((r) => r.wallS.toFixed(0)).join(', ');
  lines.push(`## A/A (${aa.length} runs)`, '', `Outcomes (re-judged): ${exits(aa)}. Wall time per run, s: ${walls(aa)}.`, '');
  const ids = [...new Set(aa.flatMap((r) => metricsOf(r).map((m) => m.id)))];
  lines.push('| metric | false regressions | inconclusive | unchanged/improvement | HL change per run, % |', '| --- | ---: | ---: | ---: | --- |');
  for (const id of ids) {
    const ms = aa.map((r) => metricsOf(r).find((m) => m.id === id)).filter((m) => m !== undefined);
    const count = (v: string) => ms.filter((m) => m.verdict === v).length;
    const changes = ms.map((m) => (m.changePercent === null ? '—' : `${m.changePercent.toFixed(1)} [${m.changeLowPercent?.toFixed(1) ?? '?'}, ${m.changeHighPercent?.toFixed(1) ?? '?'}]`)).join('; ');
    lines.push(`| ${id} | ${count('regression')} | ${count('inconclusive')} | ${count('unchanged') + count('improvement')} | ${changes} |`);
  }
  lines.push('', ...noiseSection(aa));
  lines.push('', `Sizing from the A/A baselines' steps (median over all) at ${rate} req/s: p50 ${p50?.toFixed(0)} µs, p99 ${p99?.toFixed(0)} µs, max throughput ${maxRps?.toFixed(0)} req/s${duet ? ` a side (${cpuServedRps?.toFixed(0)} req/s both sides together, the CPU they share)` : ''}.`, '');
  // --inject 0 measures no injected candidate: nothing to report for it.
  for (const inj of injections.filter((i) => i.runs.length > 0)) {
    const aimed = inj.runs.map((r) => metricsOf(r).find((m) => m.id === inj.aim));
    const caught = aimed.filter((m) => m?.verdict === 'regression').length;
    // The env each run really had (a resumed series keeps the size its runs were measured with).
    const used = [...new Set(inj.runs.map((r) => Object.entries(r.doc?.candidate.env ?? {}).map(([k, v]) => `${k}=${v}`).join(' ') || inj.env))].join(', ');
    lines.push(`## ${inj.name}: \`${used}\` (${inj.runs.length} runs)`, '');
    const gate = inj.runs.filter((r) => judged(r)?.outcome === 'regression').length;
    lines.push(`Caught (${inj.aim} a regression): **${caught} of ${inj.runs.length}**; the gate failed (any regression) in ${gate} of ${inj.runs.length}. Outcomes (re-judged): ${exits(inj.runs)}. Wall time, s: ${walls(inj.runs)}.`);
    lines.push(`Realised change of ${inj.aim} per run (HL [interval], verdict): ${aimed.map((m) => (m ? `${m.changePercent?.toFixed(1) ?? '—'} [${m.changeLowPercent?.toFixed(1) ?? '?'}, ${m.changeHighPercent?.toFixed(1) ?? '?'}] ${m.verdict}` : 'not judged')).join('; ')}.`, '');
  }
  const text = `${lines.join('\n')}\n`;
  await writeFile(path.join(OUT, 'ab-bench.md'), text);
  process.stdout.write(text);
}

await main();
