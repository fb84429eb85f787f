/**
 * Inline SVG charts for report.html, generated here so the report needs no network and no
 * JavaScript. Pure functions returning SVG strings; all text is escaped. Coordinates are rounded to
 * 0.01 px so output is byte-stable.
 */
import { escapeXml } from '../util/xml.ts';

export type ScaleKind = 'linear' | 'log';

export interface AxisSpec {
  label: string;
  scale: ScaleKind;
  /** Explicit ticks (data values) with labels; default: computed from the data range. */
  ticks?: Array<{ value: number; label: string }>;
  /** Formats computed tick values. */
  format?: (value: number) => string;
  /** Forces the axis range (data values). */
  min?: number;
  max?: number;
}

export interface Series {
  name: string;
  color: string;
  /** SVG stroke-dasharray, e.g. "6 3"; none for solid. */
  dash?: string;
  points: Array<{ x: number; y: number; /** Hover text (an SVG <title>). */ title?: string; /** Hollow marker: a lower bound or a saturated point. */ hollow?: boolean }>;
  /** Draw point markers (default true). */
  markers?: boolean;
}

export interface LineChartSpec {
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  series: Series[];
  width?: number;
  height?: number;
  /** One-line note under the title (e.g. which histogram). */
  subtitle?: string;
}

export const r2 = (v: number) => (Math.round(v * 100) / 100).toString();

/** Tick values for a linear axis: 1, 2 or 5 × 10^k steps, about `count` of them. */
export function linearTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Tick values for a log axis: powers of ten, plus 2 and 5 multiples when the range is under three decades. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mults = hi - lo <= 3 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of mults) {
    const v = Number((m * 10 ** e).toPrecision(12));
    if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
  }
  return out;
}

const NICE = [1, 2, 5, 10];

export function niceLogFloor(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  return Number(([...NICE].reverse().find((m) => m * mag <= v * (1 + 1e-9)) ?? 1) * mag);
}

export function niceLogCeil(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  return Number((NICE.find((m) => m * mag >= v * (1 - 1e-9)) ?? 10) * mag);
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Compact number for tick labels: 1.5k, 20k, 0.5, 2. */
export function compactNumber(v: number): string {
  const abs = Math.abs(v);
  const trim = (s: string) => s.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');
  if (abs >= 1e6) return `${trim((v / 1e6).toFixed(1))}M`;
  if (abs >= 1e3) return `${trim((v / 1e3).toFixed(1))}k`;
  if (abs >= 1 || abs === 0) return trim(v.toFixed(abs >= 10 ? 0 : 1));
  return trim(v.toPrecision(2));
}

export interface Scale {
  map: (v: number) => number;
  ticks: Array<{ value: number; label: string }>;
}

export function makeScale(axis: AxisSpec, values: number[], from: number, to: number): Scale {
  const usable = axis.scale === 'log' ? values.filter((v) => v > 0) : values;
  let min = axis.min ?? (usable.length > 0 ? Math.min(...usable) : axis.scale === 'log' ? 1 : 0);
  let max = axis.max ?? (usable.length > 0 ? Math.max(...usable) : min + 1);
  if (axis.scale === 'log') {
    // Pad to the nearest 1-2-5 value rather than a whole decade, so the data fills the plot.
    if (axis.min === undefined) min = niceLogFloor(min);
    if (axis.max === undefined) max = niceLogCeil(max);
    if (max <= min) max = min * 10;
    const lmin = Math.log10(min);
    const lmax = Math.log10(max);
    const format = axis.format ?? compactNumber;
    return {
      map: (v) => from + ((Math.log10(Math.max(v, min)) - lmin) / (lmax - lmin)) * (to - from),
      ticks: axis.ticks ?? logTicks(min, max).map((value) => ({ value, label: format(value) })),
    };
  }
  if (axis.min === undefined) min = Math.min(0, min);
  if (max <= min) max = min + 1;
  const ticks = linearTicks(min, max);
  max = Math.max(max, ticks[ticks.length - 1] ?? max);
  const format = axis.format ?? compactNumber;
  return {
    map: (v) => from + ((v - min) / (max - min)) * (to - from),
    ticks: axis.ticks ?? ticks.map((value) => ({ value, label: format(value) })),
  };
}

/**
 * A line chart with axes, ticks, grid, labels and a legend. Series without points (a configuration
 * that never ran) are left out of the legend; when none has points the chart says "no data".
 */
export function lineChart(input: LineChartSpec): string {
  const withPoints = input.series.filter((s) => s.points.length > 0);
  const spec = withPoints.length > 0 ? { ...input, series: withPoints } : input;
  const width = spec.width ?? 720;
  const plotHeight = spec.height ?? 320;
  // Legend columns sized to the longest name (about 6.5 px per character at 12 px).
  const longest = Math.max(1, ...spec.series.map((s) => s.name.length));
  const legendColumns = Math.max(1, Math.min(3, Math.floor((width - 90) / (longest * 6.5 + 40))));
  const legendRows = Math.ceil(spec.series.length / legendColumns);
  const subtitleLines = spec.subtitle ? wrapText(spec.subtitle, Math.floor((width - 90) / 6.2)) : [];
  const margin = { top: 36 + subtitleLines.length * 15, right: 36, bottom: 48 + legendRows * 18, left: 70 };
  const height = margin.top + plotHeight + margin.bottom;
  const x0 = margin.left;
  const x1 = width - margin.right;
  const y0 = margin.top + plotHeight;
  const y1 = margin.top;
  const all = spec.series.flatMap((s) => s.points);
  const xs = makeScale(spec.x, all.map((p) => p.x), x0, x1);
  const ys = makeScale(spec.y, all.map((p) => p.y), y0, y1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${x0}" y="20" font-size="14" font-weight="600" fill="#111">${escapeXml(spec.title)}</text>`);
  subtitleLines.forEach((line, i) => out.push(`<text x="${x0}" y="${38 + i * 15}" fill="#555">${escapeXml(line)}</text>`));
  // Grid and ticks.
  for (const t of xs.ticks) {
    const x = r2(xs.map(t.value));
    out.push(`<line class="grid" x1="${x}" y1="${y1}" x2="${x}" y2="${y0}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${y0 + 18}" text-anchor="middle" fill="#333">${escapeXml(t.label)}</text>`);
  }
  for (const t of ys.ticks) {
    const y = r2(ys.map(t.value));
    out.push(`<line class="grid" x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x0 - 5}" y1="${y}" x2="${x0}" y2="${y}" stroke="#333"/>`);
    out.push(`<text x="${x0 - 8}" y="${y}" dy="4" text-anchor="end" fill="#333">${escapeXml(t.label)}</text>`);
  }
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#333"/>`);
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#333"/>`);
  out.push(`<text x="${r2((x0 + x1) / 2)}" y="${y0 + 36}" text-anchor="middle" fill="#111">${escapeXml(spec.x.label)}</text>`);
  out.push(`<text transform="translate(16 ${r2((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" fill="#111">${escapeXml(spec.y.label)}</text>`);
  if (all.length === 0) {
    out.push(`<text x="${r2((x0 + x1) / 2)}" y="${r2((y0 + y1) / 2)}" text-anchor="middle" fill="#888">no data</text>`);
  }
  // Series.
  for (const s of spec.series) {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (spec.y.scale !== 'log' || p.y > 0) && (spec.x.scale !== 'log' || p.x > 0));
    if (pts.length === 0) continue;
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${r2(xs.map(p.x))} ${r2(ys.map(p.y))}`).join(' ');
    out.push(`<g class="series" data-name="${escapeXml(s.name)}">`);
    out.push(`<path class="data" d="${d}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2"${s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : ''}/>`);
    if (s.markers !== false) {
      for (const p of pts) {
        const fill = p.hollow ? '#ffffff' : s.color;
        out.push(
          `<circle class="mark" cx="${r2(xs.map(p.x))}" cy="${r2(ys.map(p.y))}" r="3.5" fill="${escapeXml(fill)}" stroke="${escapeXml(s.color)}" stroke-width="1.5">${p.title ? `<title>${escapeXml(p.title)}</title>` : ''}</circle>`,
        );
      }
    }
    out.push('</g>');
  }
  // Legend under the x-axis label.
  const colWidth = (x1 - x0) / legendColumns;
  spec.series.forEach((s, i) => {
    const lx = r2(x0 + (i % legendColumns) * colWidth);
    const ly = y0 + 56 + Math.floor(i / legendColumns) * 18;
    out.push(
      `<g class="legend"><line x1="${lx}" y1="${ly}" x2="${r2(Number(lx) + 22)}" y2="${ly}" stroke="${escapeXml(s.color)}" stroke-width="2"${s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : ''}/>` +
        `<text x="${r2(Number(lx) + 28)}" y="${ly}" dy="4" fill="#222">${escapeXml(s.name)}</text></g>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Percentile-spectrum x positions, as HdrHistogram's plotter draws them: x = log10(1 / (1 − p)), so
 * 90 % sits at 1, 99 % at 2, 99.9 % at 3 — the tail gets as much room as the body.
 */
export function spectrumX(percentile: number): number {
  return Math.log10(1 / (1 - Math.min(percentile, 99.9999) / 100));
}

export const SPECTRUM_TICKS = [
  { value: 0, label: '0%' },
  { value: 1, label: '90%' },
  { value: 2, label: '99%' },
  { value: 3, label: '99.9%' },
  { value: 4, label: '99.99%' },
  { value: 5, label: '99.999%' },
];

/** A distinct, colour-blind-friendly palette (Okabe–Ito), by index. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];
