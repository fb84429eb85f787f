/**
 * "The article vs this run": one row per claim — the article's figure as a band (its accepted range,
 * once the wording is read, as a dashed outline around it), and each configuration's measured
 * interval as a mark with its range over repetitions, coloured by that configuration's verdict.
 * Rows are grouped by unit, each unit on its own log axis. A lower bound ("≥", the generator was the
 * limit) is drawn as a bar with an arrow to the right: the truth lies somewhere along it.
 * Inline SVG, no script; every mark carries its figures in an SVG <title> (hover) and data-*
 * attributes. Pure: the claim verdicts in, a string out.
 */
import type { ClaimVerdict, MeasuredFigure, Verdict } from '../analysis/claims.ts';
import { escapeXml } from '../util/xml.ts';
import { formatWithUnit } from '../util/format.ts';
import { VERDICT_LABEL } from './common.ts';
import { logTicks, niceLogCeil, niceLogFloor, r2 } from './svg.ts';

const esc = escapeXml;

/** Verdict colours: the badge colours of the claims table, darker for strokes. */
export const VERDICT_COLOR: Record<Verdict, string> = { confirmed: '#1b7f3b', refuted: '#c0262d', inconclusive: '#b26b00' };

const UNIT_TITLE: Record<MeasuredFigure['unit'], string> = {
  'req/s': 'Throughput, req/s',
  ms: 'Latency and start-up, ms',
  MB: 'Image size, MB',
  ratio: 'Ratios, ×',
  fraction: 'Share, %',
};

const WIDTH = 1180;
const LABEL_W = 300;
const PLOT_X0 = LABEL_W + 10;
const PLOT_X1 = 900;
const VERDICT_X = 920;
const HEADER_H = 30;
const MARK_GAP = 13;

/** Tick labels in the unit's own words: 20k, 0.5, 40 %. */
function tickLabel(v: number, unit: MeasuredFigure['unit']): string {
  if (unit === 'fraction') return `${Number((v * 100).toPrecision(3))} %`;
  const text = v >= 1e6 ? `${Number((v / 1e6).toPrecision(3))}M` : v >= 1e3 ? `${Number((v / 1e3).toPrecision(3))}k` : `${Number(v.toPrecision(3))}`;
  return unit === 'ratio' ? `${text}×` : text;
}

function finite(values: Array<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
}

/** The configurations drawn as marks: measured ones (not-run ones are named in the row's title). */
function marksOf(v: ClaimVerdict) {
  return v.byConfiguration.filter((c) => c.measured !== null && !c.notRun);
}

/** Configurations that ran but gave no figure the claim could use: named in grey, never left out silently. */
function unjudgedOf(v: ClaimVerdict) {
  return v.byConfiguration.filter((c) => c.measured === null && !c.notRun);
}

function rowHeight(v: ClaimVerdict): number {
  return Math.max(34, 16 + (marksOf(v).length + unjudgedOf(v).length) * MARK_GAP);
}

/** About 6 px per character at 10 px: where a mark's label ends. */
const LABEL_CHAR_W = 6.1;

const BOUND_MARK: Record<MeasuredFigure['bound'], string> = { exact: '', lower: '≥ ', upper: '≤ ', unknown: '~ ' };

/** The chart; `verdicts` in registry order (rows are grouped by unit, registry order within). */
export function articleChart(verdicts: ClaimVerdict[]): string {
  const units = [...new Set(verdicts.map((v) => v.band.unit))];
  const sections = units.map((unit) => ({ unit, rows: verdicts.filter((v) => v.band.unit === unit) }));
  const legendH = 54;
  const height = legendH + sections.reduce((h, s) => h + HEADER_H + s.rows.reduce((a, v) => a + rowHeight(v), 0) + 8, 0);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart article-chart" role="img" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
  );
  out.push('<title>The article vs this run: one row per claim</title>');
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  // Legend, two lines: each item placed after the previous one's text (about 6.3 px per character at 12 px).
  let ly = 16;
  let lx = 10;
  const item = (glyph: (x: number) => string, text: string, glyphW = 28) => {
    out.push(`${glyph(lx)}<text x="${lx + glyphW + 6}" y="${ly}" dy="4" fill="#222">${esc(text)}</text>`);
    lx += glyphW + 6 + text.length * 6.3 + 18;
  };
  out.push('<g class="legend">');
  item((x) => `<rect x="${x}" y="${ly - 7}" width="26" height="14" fill="#7b8fb5" fill-opacity="0.45"/>`, "the article's figure");
  item((x) => `<rect x="${x}" y="${ly - 9}" width="26" height="18" fill="none" stroke="#7b8fb5" stroke-dasharray="4 3"/>`, 'what its wording is read as (e.g. ± 25 %)');
  item((x) => `<line x1="${x}" y1="${ly}" x2="${x + 28}" y2="${ly}" stroke="#333" stroke-width="2.5"/><circle cx="${x + 14}" cy="${ly}" r="4.5" fill="#333"/>`, 'measured: median, range over repetitions');
  ly = 36;
  lx = 10;
  item((x) => `<path d="M${x} ${ly - 6} L${x} ${ly + 6} M${x} ${ly} L${x + 26} ${ly} M${x + 20} ${ly - 4} L${x + 26} ${ly} L${x + 20} ${ly + 4}" stroke="#333" stroke-width="2" fill="none"/>`, '≥ a lower bound (the generator was the limit)');
  item((x) => `<circle cx="${x + 14}" cy="${ly}" r="4.5" fill="#fff" stroke="#333" stroke-width="1.5"/>`, '~ a ratio of two bounds');
  for (const v of ['confirmed', 'refuted', 'inconclusive'] as const) item((x) => `<circle cx="${x + 5}" cy="${ly}" r="5" fill="${VERDICT_COLOR[v]}"/>`, v, 10);
  out.push('</g>');
  let y = legendH;
  for (const { unit, rows } of sections) {
    const values = finite(
      rows.flatMap((v) => [
        v.band.article.min,
        v.band.article.max,
        v.band.accepted.min,
        v.band.accepted.max,
        ...marksOf(v).flatMap((c) => [c.measured!.value, c.measured!.min, c.measured!.max]),
      ]),
    );
    const lo = niceLogFloor(Math.min(...values) / 1.6);
    const hi = niceLogCeil(Math.max(...values) * 1.6);
    const lmin = Math.log10(lo);
    const lmax = Math.log10(hi);
    const x = (v: number) => PLOT_X0 + ((Math.log10(Math.min(Math.max(v, lo), hi)) - lmin) / (lmax - lmin)) * (PLOT_X1 - PLOT_X0);
    const sectionH = HEADER_H + rows.reduce((a, v) => a + rowHeight(v), 0);
    out.push(`<g class="unit-section" data-unit="${esc(unit)}">`);
    out.push(`<text x="10" y="${y + 19}" font-size="13" font-weight="600" fill="#111">${esc(UNIT_TITLE[unit])} <tspan font-weight="400" fill="#666">(log axis)</tspan></text>`);
    for (const t of logTicks(lo, hi)) {
      const tx = r2(x(t));
      out.push(`<line class="grid" x1="${tx}" y1="${y + HEADER_H - 4}" x2="${tx}" y2="${y + sectionH}" stroke="#ececec"/>`);
      out.push(`<text x="${tx}" y="${y + HEADER_H - 8}" text-anchor="middle" fill="#555" font-size="11">${esc(tickLabel(t, unit))}</text>`);
    }
    y += HEADER_H;
    rows.forEach((v, i) => {
      const h = rowHeight(v);
      const mid = y + h / 2;
      const marks = marksOf(v);
      const unjudged = unjudgedOf(v);
      const lines = marks.length + unjudged.length;
      out.push(`<g class="claim-row" data-claim="${esc(v.id)}" data-verdict="${v.verdict}" data-unit="${esc(unit)}">`);
      out.push(`<title>${esc(`${v.id} — ${VERDICT_LABEL[v.verdict]}: ${v.summary}`)}</title>`);
      if (i % 2 === 0) out.push(`<rect x="0" y="${r2(y)}" width="${WIDTH}" height="${h}" fill="#f7f8fa"/>`);
      out.push(`<text x="10" y="${r2(mid - 3)}" font-weight="600" fill="#111">${esc(v.id)}</text>`);
      out.push(`<text x="10" y="${r2(mid + 11)}" fill="#555" font-size="11">${esc(v.articleFigure)}</text>`);
      // The article's figure, and the accepted range around it; an open side runs to the axis edge.
      const band = (r: { min: number | null; max: number | null }) => ({ a: r.min === null ? PLOT_X0 : x(r.min), b: r.max === null ? PLOT_X1 : x(r.max) });
      const acc = band(v.band.accepted);
      out.push(`<rect class="accepted" x="${r2(acc.a)}" y="${r2(y + 3)}" width="${r2(Math.max(2, acc.b - acc.a))}" height="${h - 6}" fill="none" stroke="#7b8fb5" stroke-dasharray="4 3"/>`);
      const art = band(v.band.article);
      out.push(`<rect class="article" x="${r2(art.a)}" y="${r2(y + 6)}" width="${r2(Math.max(3, art.b - art.a))}" height="${h - 12}" fill="#7b8fb5" fill-opacity="0.45"><title>${esc(`the article: ${v.articleFigure}; judged as ${v.ruleText} (${v.reading})`)}</title></rect>`);
      if (v.band.article.min === null) out.push(`<text x="${PLOT_X0 + 2}" y="${r2(mid)}" dy="4" fill="#54648a" font-size="11">◀</text>`);
      if (v.band.article.max === null) out.push(`<text x="${PLOT_X1 - 2}" y="${r2(mid)}" dy="4" text-anchor="end" fill="#54648a" font-size="11">▶</text>`);
      marks.forEach((c, k) => {
        const f = c.measured!;
        const my = r2(mid + (k - (lines - 1) / 2) * MARK_GAP);
        const color = VERDICT_COLOR[c.verdict];
        const vx = x(f.value);
        const text = `${c.label}: ${BOUND_MARK[f.bound]}${formatWithUnit(f.value, f.unit)}${f.n > 1 && f.min !== f.max ? ` (range ${formatWithUnit(f.min, f.unit)} – ${formatWithUnit(f.max, f.unit)}, n=${f.n})` : ''} — ${VERDICT_LABEL[c.verdict]}`;
        out.push(
          `<g class="measured" data-configuration="${esc(c.label)}" data-value="${f.value}" data-min="${f.min}" data-max="${f.max}" data-bound="${f.bound}" data-verdict="${c.verdict}"><title>${esc(text)}</title>`,
        );
        out.push(`<line x1="${r2(x(f.min))}" y1="${my}" x2="${r2(x(f.max))}" y2="${my}" stroke="${color}" stroke-width="2.5" stroke-linecap="round"/>`);
        let end = Math.max(vx, x(f.max));
        if (f.bound === 'lower') {
          // "≥": the target could do more; an arrow from the bound towards larger values.
          const tip = Math.min(PLOT_X1, vx + 34);
          out.push(`<path d="M${r2(vx)} ${Number(my) - 6} L${r2(vx)} ${Number(my) + 6} M${r2(vx)} ${my} L${r2(tip)} ${my} M${r2(tip - 6)} ${Number(my) - 4} L${r2(tip)} ${my} L${r2(tip - 6)} ${Number(my) + 4}" stroke="${color}" stroke-width="2" fill="none"/>`);
          end = Math.max(end, tip);
        } else if (f.bound === 'upper') {
          const tip = Math.max(PLOT_X0, vx - 34);
          out.push(`<path d="M${r2(vx)} ${Number(my) - 6} L${r2(vx)} ${Number(my) + 6} M${r2(vx)} ${my} L${r2(tip)} ${my} M${r2(tip + 6)} ${Number(my) - 4} L${r2(tip)} ${my} L${r2(tip + 6)} ${Number(my) + 4}" stroke="${color}" stroke-width="2" fill="none"/>`);
        } else {
          out.push(`<circle cx="${r2(vx)}" cy="${my}" r="4.5" fill="${f.bound === 'unknown' ? '#ffffff' : color}" stroke="${color}" stroke-width="1.5"/>`);
        }
        // The configuration's name beside its mark, on whichever side has room.
        const label = `${c.label} ${BOUND_MARK[f.bound]}${formatWithUnit(f.value, f.unit)}`;
        const right = end + 7 + label.length * LABEL_CHAR_W < PLOT_X1;
        out.push(
          `<text x="${r2(right ? end + 7 : Math.min(x(f.min), vx) - 7)}" y="${my}" dy="3.5" font-size="10" fill="${color}"${right ? '' : ' text-anchor="end"'}>${esc(label)}</text>`,
        );
        out.push('</g>');
      });
      unjudged.forEach((c, k) => {
        const my = r2(mid + (marks.length + k - (lines - 1) / 2) * MARK_GAP);
        out.push(`<text class="unjudged" x="${PLOT_X0 + 6}" y="${my}" dy="3.5" font-size="10" font-style="italic" fill="#777">${esc(`${c.label}: no usable figure — ${c.brief}`)}<title>${esc(`${c.label}: ${c.reason}`)}</title></text>`);
      });
      if (lines === 0) out.push(`<text x="${PLOT_X0 + 8}" y="${r2(mid)}" dy="4" fill="#888" font-style="italic">not measured</text>`);
      out.push(`<rect x="${VERDICT_X}" y="${r2(mid - 10)}" width="104" height="20" rx="4" fill="${VERDICT_COLOR[v.verdict]}" fill-opacity="0.14"/>`);
      out.push(`<text x="${VERDICT_X + 52}" y="${r2(mid)}" dy="4" text-anchor="middle" font-weight="700" font-size="11" fill="${VERDICT_COLOR[v.verdict]}">${VERDICT_LABEL[v.verdict]}</text>`);
      out.push(`<text x="${VERDICT_X + 112}" y="${r2(mid)}" dy="4" font-size="10.5" fill="#555">${esc(v.reading.split(/[:,]/)[0]!)}</text>`);
      out.push('</g>');
      y += h;
    });
    out.push('</g>');
    y += 8;
  }
  out.push('</svg>');
  return out.join('\n');
}
