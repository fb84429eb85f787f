import { describe, expect, it } from 'vitest';
import { evaluateClaims } from '../../../src/analysis/claims.ts';
import { summarise } from '../../../src/analysis/summary.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { databaseText, storePairs, storeRows } from '../../../src/report/stores.ts';
import type { RunDocument } from '../../../src/schema/run.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';
import { buildReportModel } from '../../../src/report/model.ts';

function docWithStores(): RunDocument {
  const target = (name: string, configuration: string, max: number, p99Us: number, dbCpu?: number) =>
    makeTarget({
      name,
      configuration,
      steps: [
        { ...makeStep({ kind: 'max', achievedRps: max }), ...(dbCpu !== undefined ? { database: { cpuPercent: dbCpu, memoryPeakBytes: 80 * 1048576, samples: 5 } } : {}) },
        makeStep({ offeredRps: 500, achievedRps: 500, corrected: percentiles(500, 1000, p99Us) }),
        makeStep({ offeredRps: 1000, achievedRps: 1000, corrected: percentiles(600, 1200, p99Us * 2) }),
      ],
      sustainableRps: 1000,
    });
  const doc = makeDoc(
    [
      target('fastapi', '1-worker', 4000, 2000),
      target('fastapi', '1-worker-postgres', 1000, 5000, 60),
      target('go-chi', 'gomaxprocs-1', 20000, 400),
      target('go-chi', 'gomaxprocs-1-postgres', 8000, 900, 45),
    ],
    { rates: [500, 1000] },
  );
  doc.scenario.targets[0]!.configurations.push({ id: '1-worker-postgres', description: '', store: 'postgres', env: { WORKERS: '1' } });
  doc.scenario.targets[1]!.configurations.push({ id: 'gomaxprocs-1-postgres', description: '', store: 'postgres', env: { GOMAXPROCS: '1' } });
  doc.database = {
    image: 'httpbench-base/postgres:17', imageId: 'sha256:db', source: 'stand-in', version: 'postgres (PostgreSQL) 17.12', cpuset: '1',
    sharesTargetCpus: true, memoryBytes: 512 * 1048576, users: 10000, poolSize: 10, settings: { max_connections: '200' },
    startMs: 700, seedMs: 150, seedCommand: 'httpbench/go-chi:latest -seed', error: null,
  };
  return doc;
}

describe('memory vs postgres', () => {
  it('pairs each postgres configuration with its memory twin (same target, same env)', () => {
    expect(storePairs(docWithStores())).toEqual([
      { name: 'fastapi', memory: '1-worker', postgres: '1-worker-postgres' },
      { name: 'go-chi', memory: 'gomaxprocs-1', postgres: 'gomaxprocs-1-postgres' },
    ]);
  });
  it('puts the two stores side by side: max, ratio, sustainable, p99 at the highest common rate, database CPU', () => {
    const doc = docWithStores();
    expect(storeRows(doc, summarise(doc))).toEqual([
      ['fastapi/1-worker vs 1-worker-postgres', '4,000', '1,000', '0.25', '1,000', '1,000', '4.000 @ 1,000', '10.000 @ 1,000', '60'],
      ['go-chi/gomaxprocs-1 vs gomaxprocs-1-postgres', '20,000', '8,000', '0.40', '1,000', '1,000', '0.800 @ 1,000', '1.800 @ 1,000', '45'],
    ]);
  });
  it('says where the database ran, and that it shares the targets\' CPUs', () => {
    const text = databaseText(docWithStores())!;
    expect(text).toContain('cpuset 1 — **shares the targets\' CPUs**');
    expect(text).toContain('pool 10 connections per target process; settings: max_connections=200.');
    expect(databaseText(makeDoc([]))).toBeNull();
  });
  it('judges the ratio claims per store, the store named in the label', () => {
    const doc = docWithStores();
    const ratio = evaluateClaims(doc).find((v) => v.id === 'throughput-ratio-8x')!;
    expect(ratio.byConfiguration.map((c) => c.label)).toEqual(['gomaxprocs-1 vs 1-worker', 'all-cores vs n-workers', 'gomaxprocs-1-postgres vs 1-worker-postgres']);
    expect(renderMarkdown(buildReportModel(doc), { renderedAt: 'x' })).toContain('## Memory vs PostgreSQL');
  });
  it('a run with one store has no side-by-side section, and pairs of the other store are left out of the claims', () => {
    const doc = makeDoc([makeTarget({ name: 'go-chi', configuration: 'gomaxprocs-1', steps: [makeStep({ kind: 'max', achievedRps: 100 })] })]);
    expect(renderMarkdown(buildReportModel(doc), { renderedAt: 'x' })).not.toContain('Memory vs PostgreSQL');
    const ratio = evaluateClaims(doc).find((v) => v.id === 'throughput-ratio-8x')!;
    // all-cores/n-workers is in this run's scenario (not measured: still judged, as missing); the postgres pair is not.
    expect(ratio.byConfiguration.map((c) => c.label)).toEqual(['gomaxprocs-1 vs 1-worker', 'all-cores vs n-workers']);
  });
});
