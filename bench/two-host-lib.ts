/**
 * The pure part of `npm run bench:two-host`: flags, and the side-by-side table of a single-host and a
 * two-host run.json (max throughput, p50/p99 at the rates both runs measured, the network floor).
 * Figures are copied from the run documents, never computed anew: the table only lines them up.
 */
import { stepLatency } from '../src/analysis/step-rules.ts';
import type { NetworkFloor, Step } from '../src/schema/run.ts';

export interface TwoHostBenchArgs {
  scenario: string | null;
  targets: string | null;
  out: string | null;
  /** Upper bound for each of the two runs, minutes. */
  timeoutMin: number;
  imageTag: string;
}

export function parseTwoHostArgs(argv: readonly string[]): TwoHostBenchArgs {
  const args: TwoHostBenchArgs = { scenario: null, targets: null, out: null, timeoutMin: 20, imageTag: 'two-host-bench' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--scenario') args.scenario = value;
    else if (flag === '--targets') args.targets = value;
    else if (flag === '--out') args.out = value;
    else if (flag === '--image-tag') args.imageTag = value;
    else if (flag === '--timeout-min') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0 || n > 120) throw new Error('--timeout-min takes minutes between 0 and 120');
      args.timeoutMin = n;
    } else throw new Error(`unknown flag ${flag} (--scenario FILE, --targets a,b, --out DIR, --timeout-min N, --image-tag T)`);
  }
  return args;
}

/** What the table reads from a run.json. */
export interface RunFigures {
  status: string;
  network?: NetworkFloor | undefined;
  targets: Array<{ name: string; configuration: string; repetition: number; status: string; maxThroughputRps: number | null; steps: Step[] }>;
}

const ms = (us: number) => (us / 1000).toFixed(2);

function maxCell(target: RunFigures['targets'][number] | undefined): string {
  if (!target || target.maxThroughputRps === null) return '—';
  const max = target.steps.find((s) => s.kind === 'max');
  return `${max?.generator.bound ? '≥ ' : ''}${Math.round(target.maxThroughputRps)} req/s`;
}

function rateCell(target: RunFigures['targets'][number] | undefined, rate: number): string {
  const step = target?.steps.find((s) => s.kind === 'rate' && s.offeredRps === rate);
  const lat = step ? stepLatency(step)?.us : null;
  if (!step || !lat) return '—';
  return `p50 ${ms(lat.p50)} ms, p99 ${ms(lat.p99)} ms${step.generator.bound ? ' (generator-bound)' : ''}`;
}

/** Rows of [figure, single host, two hosts], per (target, configuration, repetition) of either run. */
export function comparisonRows(single: RunFigures, two: RunFigures): string[][] {
  const rows: string[][] = [['', 'single host (127.0.0.1)', 'two hosts (over the veth)']];
  rows.push(['run status', single.status, two.status]);
  const floor = (n: NetworkFloor | undefined) => (n?.floorUs ? `p50 ${ms(n.floorUs.p50)} ms, p99 ${ms(n.floorUs.p99)} ms to ${n.host}` : n?.error ? `unknown (${n.error})` : '—');
  rows.push(['network floor', floor(single.network), floor(two.network)]);
  const key = (t: RunFigures['targets'][number]) => `${t.name}/${t.configuration}#${t.repetition + 1}`;
  const keys = [...new Set([...single.targets, ...two.targets].map(key))];
  for (const k of keys) {
    const a = single.targets.find((t) => key(t) === k);
    const b = two.targets.find((t) => key(t) === k);
    rows.push([`${k} status`, a?.status ?? '—', b?.status ?? '—']);
    rows.push([`${k} max throughput`, maxCell(a), maxCell(b)]);
    const rates = (t: typeof a) => new Set((t?.steps ?? []).filter((s) => s.kind === 'rate' && s.offeredRps !== null).map((s) => s.offeredRps!));
    const ra = rates(a);
    const common = [...rates(b)].filter((r) => ra.has(r)).sort((x, y) => x - y);
    for (const rate of common) rows.push([`${k} at ${rate} req/s`, rateCell(a, rate), rateCell(b, rate)]);
  }
  return rows;
}

/** Plain-text columns, padded to the widest cell. */
export function formatRows(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
