/**
 * Memory vs PostgreSQL side by side: each `store: postgres` configuration beside its memory twin
 * (same target, same env), so a reader sees what the database round trip costs each framework.
 * Pure; every renderer uses these rows.
 */
import { formatMsFromUs, formatRps } from '../util/format.ts';
import { spreadOf, type GroupSummary } from '../analysis/summary.ts';
import { isUnlimitedRate } from '../analysis/step-rules.ts';
import type { RunDocument } from '../schema/run.ts';
import { fmt } from './common.ts';

export interface StorePair {
  name: string;
  memory: string;
  postgres: string;
}

function sameEnv(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Every postgres configuration with its memory twin; a postgres configuration without one is left out. */
export function storePairs(doc: RunDocument): StorePair[] {
  const pairs: StorePair[] = [];
  for (const t of doc.scenario.targets) {
    for (const pg of t.configurations.filter((c) => c.store === 'postgres')) {
      const twin = t.configurations.find((c) => (c.store ?? 'memory') === 'memory' && sameEnv(c.env, pg.env));
      if (twin) pairs.push({ name: t.name, memory: twin.id, postgres: pg.id });
    }
  }
  return pairs;
}

export const STORE_HEADERS = ['Target', 'Max req/s memory', 'Max req/s postgres', 'postgres ÷ memory', 'Sustainable memory', 'Sustainable postgres', 'p99 ms memory', 'p99 ms postgres', 'DB CPU % (max step)'];
export const STORE_ALIGN_RIGHT = [false, true, true, true, true, true, true, true, true];
export const STORE_NOTE =
  'Each PostgreSQL configuration beside its in-memory twin (same target, same env). p99 at the highest sustainable step both reached ' +
  '(corrected). "≥" = the load side was the limit. The database runs in its own container; its CPU is not in the target\'s budget but, on ' +
  'a small host, on the same CPUs (paragraph below).';

/** p99 (µs) at the highest offered rate both groups sustained, with that rate; null when none. */
function commonP99(a: GroupSummary, b: GroupSummary): { rate: number; a: number; b: number } | null {
  const ok = (g: GroupSummary) => new Map(g.rates.filter((r) => isUnlimitedRate(r) && r.latencyUs !== null).map((r) => [r.offeredRps, r.latencyUs!.p99.median]));
  const ma = ok(a);
  const mb = ok(b);
  const rates = [...ma.keys()].filter((r) => mb.has(r)).sort((x, y) => y - x);
  const rate = rates[0];
  return rate === undefined ? null : { rate, a: ma.get(rate)!, b: mb.get(rate)! };
}

export function storeRows(doc: RunDocument, groups: GroupSummary[]): string[][] {
  const find = (name: string, configuration: string) => groups.find((g) => g.name === name && g.configuration === configuration);
  const rows: string[][] = [];
  for (const p of storePairs(doc)) {
    const mem = find(p.name, p.memory);
    const pg = find(p.name, p.postgres);
    if (!mem || !pg) continue;
    const bound = (g: GroupSummary) => (g.maxThroughputIsLowerBound ? '≥ ' : '');
    const ratio = mem.maxThroughputRps && pg.maxThroughputRps && mem.maxThroughputRps.median > 0 ? (pg.maxThroughputRps.median / mem.maxThroughputRps.median).toFixed(2) : '—';
    const p99 = commonP99(mem, pg);
    const dbCpu = spreadOf(
      doc.targets
        .filter((t) => t.name === p.name && t.configuration === p.postgres)
        .flatMap((t) => t.steps.filter((s) => s.kind === 'max' && s.database).map((s) => s.database!.cpuPercent)),
    );
    rows.push([
      `${p.name}/${p.memory} vs ${p.postgres}`,
      `${bound(mem)}${fmt.rps(mem.maxThroughputRps)}`,
      `${bound(pg)}${fmt.rps(pg.maxThroughputRps)}`,
      ratio,
      `${mem.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(mem.sustainableRps)}`,
      `${pg.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(pg.sustainableRps)}`,
      p99 ? `${formatMsFromUs(p99.a, 3)} @ ${formatRps(p99.rate)}` : '—',
      p99 ? `${formatMsFromUs(p99.b, 3)} @ ${formatRps(p99.rate)}` : '—',
      fmt.cpu(dbCpu),
    ]);
  }
  return rows;
}

/** One paragraph on the database of the run (image, CPUs, memory, pool, settings); null without one. */
export function databaseText(doc: RunDocument): string | null {
  const db = doc.database;
  if (!db) return null;
  const settings = Object.entries(db.settings).map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults';
  return (
    `PostgreSQL: ${db.version ?? 'version unknown'} from ${db.image}${db.source === 'stand-in' ? " (stand-in built from Debian's package, scripts/build-bases.sh)" : ''}; ` +
    `cpuset ${db.cpuset}${db.sharesTargetCpus ? " — **shares the targets' CPUs**, so its work competes with the target's" : ''}; ` +
    `memory limit ${(db.memoryBytes / 1048576).toFixed(0)} MiB (data on tmpfs inside it); ${db.users} users seeded by \`${db.seedCommand}\`; ` +
    `pool ${db.poolSize} connections per target process; settings: ${settings}.` +
    (db.error ? ` Failed: ${db.error}.` : '')
  );
}
