/**
 * Latency vs offered rate as small multiples: one panel per target/configuration with its p50, p95
 * and p99 and the instrument's own p99 floor at each rate, on axes every panel shares (so panels
 * compare at a glance). Saturated steps are red rings, generator-bound ones ("≥": the target may do
 * more) hollow triangles; every point has its figures in an SVG <title>. Pure: panel data in (built
 * once in model.ts), an SVG string out.
 */
import { escapeXml } from '../util/xml.ts';
import { formatMs, formatRps } from '../util/format.ts';
import { compactNumber, logTicks, niceLogCeil, niceLogFloor, r2 } from './svg.ts';

const esc = escapeXml;

export interface LatencyPoint {
  offeredRps: number;
  /** Medians over repetitions, ms. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The instrument's own p99 at this rate (calibration), ms; null when not calibrated. */
  floorP99Ms: number | null;
  /** "saturated 1/3"; null when no repetition saturated. */
  saturated: string | null;
  /** "generator-bound 2/3"; null when the generator was never the limit here. */
  generatorBound: string | null;
  /** corrected / uncorrected / mixed. */
  source: string;
}

export interface LatencyPanel {
  /** "fastapi/1-worker". */
  label: string;
  points: LatencyPoint[];
}

const SERIES = [
  { key: 'p50Ms', name: 'p50', color: '#8fc3e8', dash: undefined },
  { key: 'p95Ms', name: 'p95', color: '#2b7bba', dash: undefined },
  { key: 'p99Ms', name: 'p99', color: '#0b2e63', dash: undefined },
  { key: 'floorP99Ms', name: 'instrument floor (p99)', color: '#999999', dash: '4 3' },
] as const;

const PANEL_W = 380;
const PANEL_H = 230;
const PAD = { left: 52, right: 12, top: 26, bottom: 34 };
const COLUMNS = 3;

export function latencyPanels(panels: LatencyPanel[]): string {
  const drawn = panels.filter((p) => p.points.length > 0);
  const xs = drawn.flatMap((p) => p.points.map((q) => q.offeredRps)).filter((v) => v > 0);
  const ys = drawn.flatMap((p) => p.points.flatMap((q) => [q.p50Ms, q.p95Ms, q.p99Ms, q.floorP99Ms ?? NaN])).filter((v) => Number.isFinite(v) && v > 0);
  const rows = Math.max(1, Math.ceil(drawn.length / COLUMNS));
  const legendH = 34;
  const width = PANEL_W * COLUMNS;
  const height = legendH + rows * PANEL_H;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart latency-panels" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push('<title>Latency vs offered rate, one panel per target/configuration</title>');
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  // Legend.
  let lx = 10;
  out.push('<g class="legend">');
  for (const s of SERIES) {
    out.push(`<line x1="${lx}" y1="16" x2="${lx + 22}" y2="16" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/><text x="${lx + 28}" y="16" dy="4" fill="#222">${esc(s.name)}</text>`);
    lx += 40 + s.name.length * 6.5;
  }
  out.push(`<circle cx="${lx + 6}" cy="16" r="4" fill="#fff" stroke="#c0262d" stroke-width="2"/><text x="${lx + 14}" y="16" dy="4" fill="#222">saturated</text>`);
  lx += 84;
  out.push(`<path d="M${lx + 1} 20 L${lx + 6} 11 L${lx + 11} 20 Z" fill="#fff" stroke="#b26b00" stroke-width="1.5"/><text x="${lx + 16}" y="16" dy="4" fill="#222">generator-bound (≥: the target may do more)</text>`);
  out.push(`<text x="${width - 10}" y="16" dy="4" text-anchor="end" fill="#555">shared log axes: offered rate, req/s × latency, ms</text>`);
  out.push('</g>');
  if (drawn.length === 0) {
    out.push(`<text x="${width / 2}" y="${legendH + 40}" text-anchor="middle" fill="#888">no data</text></svg>`);
    return out.join('\n');
  }
  const xlo = niceLogFloor(Math.min(...xs));
  const xhi = niceLogCeil(Math.max(...xs));
  const ylo = niceLogFloor(Math.min(...ys));
  const yhi = niceLogCeil(Math.max(...ys));
  const log = (v: number, lo: number, hi: number) => (Math.log10(Math.min(Math.max(v, lo), hi)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1);
  const xticks = logTicks(xlo, xhi);
  const yticks = logTicks(ylo, yhi).filter((_, i, all) => all.length <= 8 || i % 2 === 0);
  drawn.forEach((panel, i) => {
    const ox = (i % COLUMNS) * PANEL_W;
    const oy = legendH + Math.floor(i / COLUMNS) * PANEL_H;
    const x0 = ox + PAD.left;
    const x1 = ox + PANEL_W - PAD.right;
    const y0 = oy + PANEL_H - PAD.bottom;
    const y1 = oy + PAD.top;
    const px = (v: number) => x0 + log(v, xlo, xhi) * (x1 - x0);
    const py = (v: number) => y0 - log(v, ylo, yhi) * (y0 - y1);
    out.push(`<g class="panel" data-panel="${esc(panel.label)}">`);
    out.push(`<text x="${x0}" y="${oy + 16}" font-size="12.5" font-weight="600" fill="#111">${esc(panel.label)}</text>`);
    for (const t of xticks) {
      const tx = r2(px(t));
      out.push(`<line class="grid" x1="${tx}" y1="${y1}" x2="${tx}" y2="${y0}" stroke="#ececec"/><text x="${tx}" y="${y0 + 13}" text-anchor="middle" fill="#555">${esc(compactNumber(t))}</text>`);
    }
    for (const t of yticks) {
      const ty = r2(py(t));
      out.push(`<line class="grid" x1="${x0}" y1="${ty}" x2="${x1}" y2="${ty}" stroke="#ececec"/><text x="${x0 - 5}" y="${ty}" dy="3.5" text-anchor="end" fill="#555">${esc(compactNumber(t))}</text>`);
    }
    out.push(`<rect x="${x0}" y="${y1}" width="${r2(x1 - x0)}" height="${r2(y0 - y1)}" fill="none" stroke="#bbb"/>`);
    out.push(`<text x="${r2((x0 + x1) / 2)}" y="${y0 + 27}" text-anchor="middle" fill="#444">offered, req/s</text>`);
    out.push(`<text transform="translate(${ox + 13} ${r2((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" fill="#444">ms</text>`);
    const pts = [...panel.points].sort((a, b) => a.offeredRps - b.offeredRps);
    for (const s of SERIES) {
      const line = pts.filter((q) => q[s.key] !== null && q[s.key]! > 0);
      if (line.length === 0) continue;
      const d = line.map((q, k) => `${k === 0 ? 'M' : 'L'}${r2(px(q.offeredRps))} ${r2(py(q[s.key]!))}`).join(' ');
      out.push(`<path class="data" data-series="${s.name}" d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.key === 'floorP99Ms' ? 1.5 : 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      if (s.key === 'floorP99Ms') continue;
      for (const q of line) {
        const cx = r2(px(q.offeredRps));
        const cy = r2(py(q[s.key]!));
        const flags = [q.saturated, q.generatorBound].filter(Boolean).join(', ');
        const title = `${panel.label} @ ${formatRps(q.offeredRps)} req/s: ${s.name} ${formatMs(q[s.key]!)} ms (${q.source})${q.floorP99Ms !== null ? `; instrument floor p99 ${formatMs(q.floorP99Ms)} ms` : ''}${flags ? `; ${flags}` : ''}`;
        if (q.generatorBound) {
          out.push(`<path class="mark bound" d="M${r2(Number(cx) - 4.5)} ${r2(Number(cy) + 4)} L${cx} ${r2(Number(cy) - 5)} L${r2(Number(cx) + 4.5)} ${r2(Number(cy) + 4)} Z" fill="#fff" stroke="#b26b00" stroke-width="1.5"><title>${esc(title)}</title></path>`);
        } else if (q.saturated) {
          out.push(`<circle class="mark saturated" cx="${cx}" cy="${cy}" r="4" fill="#fff" stroke="#c0262d" stroke-width="2"><title>${esc(title)}</title></circle>`);
        } else {
          out.push(`<circle class="mark" cx="${cx}" cy="${cy}" r="3" fill="${s.color}"><title>${esc(title)}</title></circle>`);
        }
      }
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}
