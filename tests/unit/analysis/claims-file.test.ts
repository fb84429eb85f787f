import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { parseClaimsFile, loadClaimsFile } from '../../../src/analysis/claims-file.ts';
import { ConfigError } from '../../../src/errors.ts';

describe('claims file', () => {
  it('loads the article registry', async () => {
    const file = await loadClaimsFile('scenarios/claims/article.yaml');
    expect(file.claims.map((c) => c.id)).toEqual([
      'go-throughput-200k',
      'python-throughput-25k',
      'throughput-ratio-8x',
      'go-p95-under-50ms-at-10k',
      'python-p95-over-200ms-beyond-5k',
      'go-p99-at-scale',
      'python-p99-at-scale',
      'go-image-5-10mb',
      'python-image-200mb',
      'go-startup-milliseconds',
      'go-memory-significantly-lower',
      'python-fewer-lines',
    ]);
  });

  it('cites the article by title, author and year, and quotes it verbatim where a copy is at hand', async () => {
    const file = await loadClaimsFile('scenarios/claims/article.yaml');
    expect(file.source).toBe('Iria Fredrick Victor, Python vs Go for Backend Development: A Practical Comparison (2026)');
    // The article is not part of the repository (it is cited, not copied); this machine kind keeps a
    // copy outside it, and a clone elsewhere can point HTTPBENCH_ARTICLE at one.
    const copy = process.env.HTTPBENCH_ARTICLE ?? '/work/shared/article/python-vs-go-backend-2026.txt';
    const article = existsSync(copy) ? readFileSync(copy, 'utf8') : null;
    for (const c of file.claims) {
      expect(c.quote.trim(), c.id).toBe(c.quote);
      expect(c.quote.length, c.id).toBeGreaterThan(20);
      if (article !== null) expect(article, c.id).toContain(c.quote);
    }
  });

  it('reports every problem at once with its path', () => {
    const text = [
      'claims:',
      '  - id: a',
      '    quote: q',
      '    articleFigure: f',
      '    metric: { kind: maxThroughputRps, target: go-chi, typo: 1 }',
      '    rule: { op: lt }',
      '  - id: Bad Id',
      '    quote: q',
      '    articleFigure: f',
      '    metric: { kind: coldStartMs, target: go-chi }',
      '    rule: { op: gt, value: 1 }',
    ].join('\n');
    try {
      parseClaimsFile(text, 'x.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect((e as ConfigError).message).toContain('x.yaml');
      expect(problems.some((p) => p.startsWith("claims[0].metric: unknown key 'typo'"))).toBe(true);
      expect(problems.some((p) => p.startsWith('claims[0].rule.value'))).toBe(true);
      expect(problems.some((p) => p.startsWith('claims[1].id'))).toBe(true);
    }
  });

  it('rejects duplicate ids and inverted ranges', () => {
    const one = (id: string, rule: string) => `  - { id: ${id}, quote: q, articleFigure: f, metric: { kind: coldStartMs, target: g }, rule: ${rule}, reading: { wording: bound } }`;
    const text = ['claims:', one('a', '{ op: between, min: 2, max: 1 }'), one('a', '{ op: lt, value: 1 }')].join('\n');
    expect(() => parseClaimsFile(text, 'x.yaml')).toThrow(ConfigError);
    try {
      parseClaimsFile(text, 'x.yaml');
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(["claims[0].rule: min (2) must be below max (1)", "claims[1].id: duplicate claim id 'a'"]);
    }
  });

  it('makes every claim say how its wording is read, with one tolerance for every approximate figure', () => {
    const one = (id: string, rest: string) => `  - { id: ${id}, quote: q, articleFigure: f, metric: { kind: coldStartMs, target: g }, ${rest} }`;
    const problems = (lines: string[]) => {
      try {
        parseClaimsFile(['claims:', ...lines].join('\n'), 'x.yaml');
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems([one('a', 'rule: { op: lt, value: 1 }')])).toEqual([
      "claims[0].reading: missing — say how the article's wording is read (wording: approximate, as-small-as, bound or threshold)",
    ]);
    expect(
      problems([
        one('a', 'rule: { op: approx, value: 10 }, reading: { wording: approximate, tolerance: 0.25 }'),
        one('b', 'rule: { op: between, min: 1, max: 2 }, reading: { wording: approximate, tolerance: 0.1 }'),
      ]),
    ).toEqual(['reading.tolerance: one tolerance for every approximate figure, found 0.25 (a), 0.1 (b)']);
    expect(problems([one('a', 'rule: { op: lt, value: 1 }, reading: { wording: bound, tolerance: 0.25 }')])).toEqual([
      "claims[0].reading.tolerance: wording 'bound' is read exactly; remove the tolerance",
    ]);
    expect(problems([one('a', 'rule: { op: approx, value: 1, tolerance: 0.2 }, reading: { wording: approximate, tolerance: 0.2 }')])).toEqual([
      'claims[0].rule.tolerance: the tolerance belongs in reading.tolerance (one rule for every approximate figure)',
    ]);
    expect(problems([one('a', 'rule: { op: gt, value: 1 }, reading: { wording: as-small-as, tolerance: 0.25 }')])).toEqual([
      "claims[0].rule: wording 'as-small-as' needs op lt or between (the top of the article's range), not gt",
    ]);
  });

  it('gives every article claim a reading, and the approximate ones one tolerance', async () => {
    const file = await loadClaimsFile('scenarios/claims/article.yaml');
    for (const c of file.claims) expect(c.reading, c.id).toBeDefined();
    const tolerances = new Set(file.claims.filter((c) => c.reading!.wording === 'approximate' || c.reading!.wording === 'as-small-as').map((c) => c.reading!.tolerance));
    expect(tolerances).toEqual(new Set([0.25]));
  });
});
