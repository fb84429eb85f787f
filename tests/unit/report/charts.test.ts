/** "The article vs this run" and the latency small multiples: pure SVG from tiny inputs. */
import { describe, expect, it } from 'vitest';
import { articleChart } from '../../../src/report/article-chart.ts';
import { latencyPanels, type LatencyPanel } from '../../../src/report/latency-panels.ts';
import { evaluateClaim } from '../../../src/analysis/claims.ts';
import { ClaimSchema } from '../../../src/schema/claims.ts';
import { makeDoc, makeStep, makeTarget } from '../../helpers/sample-run.ts';

const claim = (c: object) => ClaimSchema.parse({ quote: 'q', ...c });

describe('articleChart', () => {
  const throughput = claim({ id: 'go-200k', articleFigure: '~200,000 req/s', metric: { kind: 'maxThroughputRps', target: 'go-chi' }, rule: { op: 'approx', value: 200000 }, reading: { wording: 'approximate', tolerance: 0.25 } });
  const image = claim({ id: 'img', articleFigure: 'as small as <5–10> MB', metric: { kind: 'imageSizeMB', target: 'go-chi' }, rule: { op: 'lt', value: 10 }, reading: { wording: 'as-small-as', tolerance: 0.25 } });
  const doc = makeDoc(
    [
      makeTarget({ name: 'go-chi', configuration: 'one', imageSizeBytes: 10_300_000, steps: [makeStep({ kind: 'max', achievedRps: 30_000, generatorBound: true })] }),
      makeTarget({ name: 'go-chi', configuration: 'two', imageSizeBytes: 8_000_000, steps: [makeStep({ kind: 'max', achievedRps: 160_000 })] }),
    ],
    { claims: [] },
  );
  const verdicts = [evaluateClaim(throughput, doc), evaluateClaim(image, doc)];
  const svg = articleChart(verdicts);

  it('draws one row per claim, grouped by unit, with the article band and the accepted range', () => {
    expect(svg.match(/<g class="claim-row"/g)).toHaveLength(2);
    expect(svg.match(/<g class="unit-section" data-unit="(req\/s|MB)"/g)).toHaveLength(2);
    expect(svg.match(/<rect class="article"/g)).toHaveLength(2);
    expect(svg.match(/<rect class="accepted"/g)).toHaveLength(2);
    // Text from the document is escaped.
    expect(svg).toContain('>as small as &lt;5–10&gt; MB</text>');
    expect(svg).not.toContain('<5–10>');
  });

  it('gives every measured configuration a mark carrying its figures, coloured by its verdict', () => {
    expect(svg).toContain('data-configuration="one" data-value="30000" data-min="30000" data-max="30000" data-bound="lower" data-verdict="inconclusive"');
    expect(svg).toContain('data-configuration="two" data-value="160000" data-min="160000" data-max="160000" data-bound="exact" data-verdict="confirmed"');
    expect(svg).toContain('<title>one: ≥ 30,000 req/s — INCONCLUSIVE</title>');
    // A lower bound is a bar with an arrow (a path), an exact figure a dot.
    const one = svg.slice(svg.indexOf('data-configuration="one"'), svg.indexOf('</g>', svg.indexOf('data-configuration="one"')));
    expect(one).toMatch(/<path d="M[\d.]+ [\d.]+ L/);
    expect(one).not.toContain('<circle');
    const two = svg.slice(svg.indexOf('data-configuration="two"'), svg.indexOf('</g>', svg.indexOf('data-configuration="two"')));
    expect(two).toContain('<circle');
  });
});

describe('latencyPanels', () => {
  const point = (offeredRps: number, p99Ms: number, flags: { saturated?: string; generatorBound?: string } = {}) => ({
    offeredRps,
    p50Ms: p99Ms / 4,
    p95Ms: p99Ms / 2,
    p99Ms,
    floorP99Ms: 0.2,
    saturated: flags.saturated ?? null,
    generatorBound: flags.generatorBound ?? null,
    source: 'corrected',
  });
  const panels: LatencyPanel[] = [
    { label: 'fastapi/1-worker', points: [point(1000, 1), point(5000, 4), point(10000, 300, { saturated: 'saturated 2/3' })] },
    { label: 'go-chi/gomaxprocs-1', points: [point(1000, 0.5), point(40000, 2, { generatorBound: 'generator-bound' })] },
    { label: 'go-chi/all-cores', points: [] },
  ];
  const svg = latencyPanels(panels);

  it('draws one panel per configuration with data, p50/p95/p99 and the floor in each', () => {
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2);
    expect(svg.match(/data-series="p99"/g)).toHaveLength(2);
    expect(svg.match(/data-series="instrument floor \(p99\)"/g)).toHaveLength(2);
  });

  it('shares the axes between panels', () => {
    const ticks = (label: string) => {
      const start = svg.indexOf(`data-panel="${label}"`);
      return [...svg.slice(start, svg.indexOf('</g>', start)).matchAll(/text-anchor="(?:middle|end)" fill="#555">([^<]+)</g)].map((m) => m[1]);
    };
    expect(ticks('fastapi/1-worker')).toEqual(ticks('go-chi/gomaxprocs-1'));
    expect(ticks('fastapi/1-worker')).toContain('50k');
  });

  it('marks saturated and generator-bound points, with the figures on hover', () => {
    expect(svg.match(/class="mark saturated"/g)).toHaveLength(3);
    expect(svg.match(/class="mark bound"/g)).toHaveLength(3);
    expect(svg).toContain('<title>fastapi/1-worker @ 10,000 req/s: p99 300.00 ms (corrected); instrument floor p99 0.200 ms; saturated 2/3</title>');
  });

  it('says "no data" when nothing was measured', () => {
    expect(latencyPanels([{ label: 'x', points: [] }])).toContain('no data');
  });
});
