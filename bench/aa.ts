/**
 * `npm run bench:aa`: does `httpbench compare` cry wolf, and does it catch a real regression?
 *
 * 1. A/A: runs the scenario (default scenarios/ci.yaml) N times on this commit, one after the other
 *    (`node bin/httpbench.js run --scenario … --out OUT/aa-01` …), and compares every pair i < j
 *    (baseline i, candidate j; one direction — see aaPairs) exactly as `httpbench compare` does.
 *    Every regression found is false: the false-alarm rate per metric and per comparison.
 * 2. Power: for each size in --inject (µs of CPU burn per request, the targets' test-only
 *    `EXTRA_WORK_US` knob, see targets/CONTRACT.md), runs --inject-runs candidates with that env
 *    added to every configuration of --inject-target, and compares each against each A/A run.
 *
 * Results: Markdown on stdout and in OUT/aa-report.md, the numbers in OUT/aa-summary.json.
 * Resumable: a run directory that already holds a completed run.json is reused, so an interrupted
 * series (or a re-analysis after changing thresholds.ts) does not re-measure.
 *
 * Flags: --runs N (default 7: 21 comparisons), --scenario FILE (default scenarios/ci.yaml),
 * --out DIR (default results/aa-<UTC timestamp>), --inject a,b,c (µs, default none),
 * --inject-target NAME (default the scenario's first target), --inject-runs M (default 2).
 * Time: about (N + sizes × M) × the scenario's run time (≈ 3–4 min for ci.yaml plus builds).
 */
import { execa } from 'execa';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { compareRuns, gateOutcome, type Comparison } from '../src/compare/compare.ts';
import { resolveThresholds } from '../src/compare/thresholds.ts';
import { readRunDocument } from '../src/schema/io.ts';
import type { RunDocument } from '../src/schema/run.ts';
import { aaPairs, disjointPairs, parseInjectList, scaleThresholds, renderAaMarkdown, summarizeAa, summarizeInjection, type InjectionSummary } from './aa-lib.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const positiveInt = (name: string, fallback: number): number => {
  const raw = flag(name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${raw}`);
  return n;
};

const RUNS = positiveInt('runs', 7);
const INJECT_RUNS = positiveInt('inject-runs', 2);
const SCENARIO = path.resolve(flag('scenario') ?? path.join(root, 'scenarios', 'ci.yaml'));
const OUT = path.resolve(flag('out') ?? path.join(root, 'results', `aa-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z')}`));
const INJECT = parseInjectList(flag('inject') ?? '');
/** Margins over the largest A/A change tried by the out-of-sample check. */
const MARGINS = [1, 1.25, 1.5, 2];
/** One bounded run: a scenario that takes longer than this is stuck, not slow. */
const RUN_TIMEOUT_MS = 45 * 60_000;

if (RUNS < 2) throw new Error('--runs must be ≥ 2: an A/A comparison needs two runs');

/** Runs the scenario into `dir` unless a completed run is already there; null when the run failed. */
async function runOnce(scenarioFile: string, dir: string): Promise<RunDocument | null> {
  let existing: RunDocument | null = null;
  try {
    existing = await readRunDocument(dir);
  } catch {
    // No run there yet: measure.
  }
  if (existing?.status === 'completed') {
    process.stderr.write(`bench:aa: reusing ${path.relative(root, dir)} (completed)\n`);
    return existing;
  }
  if (existing) {
    // An interrupted or failed run: keep it for inspection, measure afresh in a new directory.
    const aside = `${dir}.${existing.status}-${Date.now()}`;
    await rename(dir, aside);
    process.stderr.write(`bench:aa: ${path.relative(root, dir)} was ${existing.status}; moved to ${path.relative(root, aside)}\n`);
  }
  const started = Date.now();
  process.stderr.write(`bench:aa: ${path.relative(root, dir)} …\n`);
  const r = await execa('node', [path.join(root, 'bin', 'httpbench.js'), 'run', '--scenario', scenarioFile, '--out', dir], {
    cwd: root,
    reject: false,
    all: true,
    timeout: RUN_TIMEOUT_MS,
  });
  process.stderr.write(`bench:aa: ${path.relative(root, dir)} exit ${r.exitCode ?? r.signal} after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (r.exitCode !== 0) {
    process.stderr.write(`${(r.all ?? '').split('\n').slice(-15).join('\n')}\n`);
  }
  try {
    return await readRunDocument(dir);
  } catch (error) {
    process.stderr.write(`bench:aa: no readable run.json in ${dir}: ${(error as Error).message}\n`);
    return null;
  }
}

/** Same rule as `httpbench compare`: defaults, then the candidate scenario's compare: section. */
function compare(baseline: RunDocument, candidate: RunDocument, labels: [string, string]): Comparison {
  return compareRuns(baseline, candidate, {
    thresholdsPercent: resolveThresholds(candidate.scenario.compare?.thresholdsPercent ?? {}),
    baselineLabel: labels[0],
    candidateLabel: labels[1],
  });
}

/**
 * Leave-pair-out: each A/A pair judged with the thresholds suggested by the pairs that share no run
 * with it (see disjointPairs). Needs ≥ 4 completed runs (2 for the pair, 2 to fit on).
 */
function leavePairOut(
  runs: ReadonlyArray<RunDocument | null>,
  dirs: readonly string[],
  byPair: ReadonlyMap<string, Comparison>,
  margin: number,
): { margin: number; judged: number; falseAlarms: number; alarms: string[] } | null {
  let judged = 0;
  let falseAlarms = 0;
  const alarms: string[] = [];
  for (const [i, j] of aaPairs(runs.length)) {
    const [b, c] = [runs[i], runs[j]];
    const fitOn = disjointPairs(runs.length, i, j).flatMap(([x, y]) => byPair.get(`${x},${y}`) ?? []);
    if (!b || !c || fitOn.length === 0) continue;
    const fitted = scaleThresholds(summarizeAa(fitOn).suggestedThresholdsPercent, margin);
    const labels: [string, string] = [path.basename(dirs[i]!), path.basename(dirs[j]!)];
    const judgedPair = compareRuns(b, c, { thresholdsPercent: resolveThresholds(fitted), baselineLabel: labels[0], candidateLabel: labels[1] });
    const outcome = gateOutcome(judgedPair);
    if (outcome === 'incomplete') continue;
    judged++;
    if (outcome === 'regression') {
      falseAlarms++;
      const what = judgedPair.groups.flatMap((g) => g.metrics.filter((m) => m.verdict === 'regressed').map((m) => `${g.target}/${g.configuration} ${m.label} ${m.changePercent!.toFixed(1)} %`));
      alarms.push(`${labels[0]} → ${labels[1]}: ${what.join('; ')}`);
    }
  }
  return judged > 0 ? { margin, judged, falseAlarms, alarms } : null;
}

/** The scenario with EXTRA_WORK_US added to every configuration of `target`, written under OUT. */
async function injectedScenario(extraWorkUs: number, target: string): Promise<string> {
  const doc = parseDocument(await readFile(SCENARIO, 'utf8'));
  const js = doc.toJS() as { targets: Array<{ name: string; configurations?: Array<{ env?: Record<string, string> }> }>; claims?: unknown };
  const t = js.targets.find((x) => x.name === target);
  if (!t) throw new Error(`--inject-target ${target}: no such target in ${SCENARIO} (targets: ${js.targets.map((x) => x.name).join(', ')})`);
  t.configurations ??= [{ id: 'default' } as { env?: Record<string, string> }];
  for (const c of t.configurations) c.env = { ...c.env, EXTRA_WORK_US: String(extraWorkUs) };
  // The claims path is relative to the scenario file, which moves: claims play no part in compare.
  js.claims = null;
  const file = path.join(OUT, `scenario-inject-${extraWorkUs}us.yaml`);
  await writeFile(file, `# ${path.relative(root, SCENARIO)} with EXTRA_WORK_US=${extraWorkUs} in ${target} (written by bench/aa.ts)\n${JSON.stringify(js, null, 2)}\n`);
  return file;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const firstTarget = (parseDocument(await readFile(SCENARIO, 'utf8')).toJS() as { targets: Array<{ name: string }> }).targets[0]!.name;
  const injectTarget = flag('inject-target') ?? firstTarget;

  const aaDirs = Array.from({ length: RUNS }, (_, i) => path.join(OUT, `aa-${String(i + 1).padStart(2, '0')}`));
  const aaRuns: Array<RunDocument | null> = [];
  for (const dir of aaDirs) aaRuns.push(await runOnce(SCENARIO, dir));

  /** The A/A comparisons by pair "i,j" (both runs completed), for the leave-pair-out check. */
  const byPair = new Map<string, Comparison>();
  const failedRuns = aaDirs.filter((_, i) => aaRuns[i] === null).map((d) => path.basename(d));
  for (const [i, j] of aaPairs(RUNS)) {
    const [b, c] = [aaRuns[i], aaRuns[j]];
    if (b && c) byPair.set(`${i},${j}`, compare(b, c, [path.basename(aaDirs[i]!), path.basename(aaDirs[j]!)]));
  }
  const aa = summarizeAa([...byPair.values()]);
  // The same check with the fitted thresholds widened by a margin: how much headroom over the largest
  // change seen keeps unseen pairs from alarming (the defaults in thresholds.ts take the margin chosen here).
  const outOfSample = MARGINS.map((m) => leavePairOut(aaRuns, aaDirs, byPair, m)).filter((x) => x !== null);

  const injections: InjectionSummary[] = [];
  for (const us of INJECT) {
    const file = await injectedScenario(us, injectTarget);
    const comparisons: Comparison[] = [];
    for (let k = 1; k <= INJECT_RUNS; k++) {
      const dir = path.join(OUT, `inject-${us}us-${k}`);
      const cand = await runOnce(file, dir);
      if (!cand) {
        failedRuns.push(path.basename(dir));
        continue;
      }
      aaRuns.forEach((base, i) => {
        if (base) comparisons.push(compare(base, cand, [path.basename(aaDirs[i]!), path.basename(dir)]));
      });
    }
    injections.push(summarizeInjection(us, injectTarget, comparisons));
  }

  const anyRun = aaRuns.find((r) => r !== null);
  const machine = anyRun
    ? `${anyRun.environment.cpuModel} ×${anyRun.environment.cpuCount}, kernel ${anyRun.environment.kernel}, commit ${anyRun.environment.gitCommit ?? 'unknown'}`
    : `${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}`;
  let md = renderAaMarkdown(aa, injections, { scenario: path.relative(root, SCENARIO), runs: RUNS, machine });
  md += outOfSample.length
    ? '\nOut of sample (leave-pair-out: each pair judged with the thresholds suggested by the pairs that share no run with it, ' +
      'times a margin):\n\n| margin | false alarms | in comparisons |\n| ---: | ---: | ---: |\n' +
      outOfSample.map((o) => `| ×${o.margin} | ${o.falseAlarms} | ${o.judged} |\n`).join('') +
      outOfSample.flatMap((o) => o.alarms.map((a) => `- ×${o.margin}: ${a}\n`)).join('')
    : '\nOut of sample: needs at least 4 completed A/A runs.\n';
  if (failedRuns.length) md += `\nRuns without a readable run.json (left out): ${failedRuns.join(', ')}\n`;
  await writeFile(path.join(OUT, 'aa-report.md'), md);
  await writeFile(path.join(OUT, 'aa-summary.json'), `${JSON.stringify({ scenario: path.relative(root, SCENARIO), runs: RUNS, machine, failedRuns, aa, outOfSample, injections }, null, 2)}\n`);
  process.stdout.write(md);
  process.stderr.write(`bench:aa: report in ${path.relative(root, path.join(OUT, 'aa-report.md'))}\n`);
}

await main();
