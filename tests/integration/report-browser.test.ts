/**
 * Renders the sample run's report.html and opens it in headless Chromium: it must load with no
 * console or page errors and no network requests, open with "The article vs this run" (one row per
 * claim, its marks carrying the measured figures) followed directly by the headline figures, show
 * the claims table (one sentence per verdict, the full reasoning one click away), latency as one
 * panel per target/configuration and the other charts with data, and paint a screenshot that is not
 * blank (pixels decoded by the browser itself, no image deps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { writeReports } from '../../src/report/index.ts';
import { evaluateClaims } from '../../src/analysis/claims.ts';
import { summarise } from '../../src/analysis/summary.ts';
import { buildVerdicts } from '../../src/analysis/verdicts.ts';
import { computeHeadline } from '../../src/report/headline.ts';
import { sampleRun } from '../helpers/sample-run.ts';

const CHROMIUM = '/usr/bin/chromium';

// Never skipped: without a browser the report is unchecked, so a missing Chromium fails loudly.
describe('report.html in a browser', () => {
  let dir: string;
  let browser: Browser;
  const doc = sampleRun();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium); .ci/run does`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'httpbench-report-'));
    await writeReports(dir, doc, '2026-05-01T11:00:00.000Z');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads cleanly, shows claims and charts, and paints a non-blank page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(path.join(dir, 'report.html')).href;
    await page.goto(url, { waitUntil: 'load' });

    // The answer first: "The article vs this run" starts in the first viewport (1280×1000), and the
    // headline box, with every measured configuration's max throughput, follows it directly.
    const groups = summarise(doc);
    const headline = computeHeadline(doc, groups, buildVerdicts(doc));
    const vs = await page.locator('#article-vs-run').boundingBox();
    expect(vs).not.toBeNull();
    expect(vs!.y).toBeLessThan(300);
    expect(await page.evaluate(() => document.querySelector('#article-vs-run')!.nextElementSibling?.id)).toBe('headline');
    const box = await page.locator('#headline').boundingBox();
    expect(box).not.toBeNull();
    const firstScreen = await page.evaluate(() => {
      const el = document.querySelector('#headline') as HTMLElement;
      return { text: el.innerText, visible: el.checkVisibility() };
    });
    expect(firstScreen.visible).toBe(true);
    expect(headline.rows.length).toBe(groups.length);
    for (const row of headline.rows) {
      // target/configuration, max req/s, sustainable req/s, and the latency at the claims' rates.
      for (const cell of [row[0]!, row[2]!, row[3]!, row[4]!]) expect(firstScreen.text).toContain(cell);
    }
    expect(firstScreen.text).toContain(headline.ratios[0]!);
    expect(firstScreen.text).toContain(doc.environment.cpuModel);
    // The claims come after the headline.
    expect((await page.locator('#claims').boundingBox())!.y).toBeGreaterThan(box!.y + box!.height);

    // "The article vs this run": one row per claim, the article's band in each, and one mark per
    // measured configuration carrying its figures (data-* and the hover <title>).
    const verdicts = evaluateClaims(doc);
    const rows = await page.$$eval('svg.article-chart g.claim-row', (gs) =>
      gs.map((g) => ({
        id: g.getAttribute('data-claim'),
        verdict: g.getAttribute('data-verdict'),
        bands: g.querySelectorAll('rect.article').length,
        marks: [...g.querySelectorAll('g.measured')].map((m) => ({
          configuration: m.getAttribute('data-configuration'),
          value: Number(m.getAttribute('data-value')),
          min: Number(m.getAttribute('data-min')),
          max: Number(m.getAttribute('data-max')),
          bound: m.getAttribute('data-bound'),
          title: m.querySelector('title')?.textContent ?? '',
          width: m.getBoundingClientRect().width,
        })),
      })),
    );
    expect(rows.map((r) => r.id).sort()).toEqual(verdicts.map((v) => v.id).sort());
    let lowerBounds = 0;
    for (const v of verdicts) {
      const row = rows.find((r) => r.id === v.id)!;
      expect(row.verdict, v.id).toBe(v.verdict);
      expect(row.bands, v.id).toBe(1);
      const measured = v.byConfiguration.filter((c) => c.measured !== null && !c.notRun);
      expect(row.marks.map((m) => m.configuration), v.id).toEqual(measured.map((c) => c.label));
      for (const c of measured) {
        const mark = row.marks.find((m) => m.configuration === c.label)!;
        expect(mark, `${v.id} ${c.label}`).toMatchObject({ value: c.measured!.value, min: c.measured!.min, max: c.measured!.max, bound: c.measured!.bound });
        expect(mark.title).toContain(c.label);
        expect(mark.width, `${v.id} ${c.label} is drawn`).toBeGreaterThan(0);
        if (c.measured!.bound === 'lower') {
          lowerBounds++;
          expect(mark.title).toContain('≥ ');
        }
      }
    }
    // The sample has generator-bound maxima: "≥" marks are drawn as such.
    expect(lowerBounds).toBeGreaterThan(0);

    // Claims table: one row per claim, one sentence each, the full reasoning one click away.
    const claimRows = await page.locator('table.claims tbody tr').count();
    expect(claimRows).toBe(verdicts.length);
    const cells = await page.$$eval('table.claims tbody tr td.reason', (tds) =>
      tds.map((td) => ({ summary: td.querySelector('.summary')?.textContent ?? '', details: td.querySelector('details') !== null, open: td.querySelector('details')?.open ?? true })),
    );
    for (const [i, c] of cells.entries()) {
      expect(c.summary).toBe(verdicts[i]!.summary);
      expect(c.summary.length).toBeLessThanOrEqual(200);
      expect(c.details).toBe(true);
      expect(c.open).toBe(false);
    }

    // Latency vs rate as small multiples: one panel per measured target/configuration, each with
    // its p50, p95 and p99 drawn.
    const panels = await page.$$eval('svg.latency-panels g.panel', (gs) =>
      gs.map((g) => ({ label: g.getAttribute('data-panel'), series: [...g.querySelectorAll('path.data')].map((p) => p.getAttribute('data-series')), titles: g.querySelectorAll('title').length })),
    );
    expect(panels.map((p) => p.label)).toEqual(groups.filter((g) => g.rates.some((r) => r.latencyUs !== null)).map((g) => `${g.name}/${g.configuration}`));
    for (const p of panels) {
      expect(p.series).toEqual(expect.arrayContaining(['p50', 'p95', 'p99']));
      expect(p.titles).toBeGreaterThan(3);
    }

    // The other charts, each with drawn data.
    const charts = await page.$$eval('svg.chart:not(.article-chart)', (svgs) =>
      svgs.map((s) => ({
        paths: s.querySelectorAll('path.data').length,
        marks: s.querySelectorAll('circle.mark').length,
        ticks: s.querySelectorAll('text').length,
        width: s.getBoundingClientRect().width,
      })),
    );
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const c of charts) {
      expect(c.paths).toBeGreaterThan(0);
      expect(c.ticks).toBeGreaterThan(8);
      expect(c.width).toBeGreaterThan(300);
    }
    expect(charts.reduce((n, c) => n + c.marks, 0)).toBeGreaterThan(20);

    const png = await page.screenshot({ fullPage: false });
    expect(png.byteLength).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);

    // Decode the screenshot in a blank page and count distinct colours.
    const decoder = await browser.newPage();
    const distinct = await decoder.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colours.size;
    }, png.toString('base64'));
    expect(distinct).toBeGreaterThan(50);
  });
});
