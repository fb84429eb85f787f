import { describe, expect, it } from 'vitest';
import { compactNumber, lineChart, linearTicks, logTicks, spectrumX } from '../../../src/report/svg.ts';

describe('svg helpers', () => {
  it('computes nice ticks', () => {
    expect(linearTicks(0, 230)).toEqual([0, 50, 100, 150, 200]);
    expect(logTicks(0.1, 100)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(0.1, 1000)).toEqual([0.1, 1, 10, 100, 1000]);
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 10000, 100000, 1000000]);
    expect(compactNumber(20000)).toBe('20k');
    expect(compactNumber(1500)).toBe('1.5k');
    expect(compactNumber(0.5)).toBe('0.5');
  });

  it('places percentiles as HdrHistogram does: 90 % at 1, 99 % at 2, 99.9 % at 3', () => {
    expect(spectrumX(0)).toBe(0);
    expect(spectrumX(90)).toBeCloseTo(1, 12);
    expect(spectrumX(99)).toBeCloseTo(2, 12);
    expect(spectrumX(99.9)).toBeCloseTo(3, 9);
  });

  it('draws axes, a path per series, markers, and an escaped legend', () => {
    const svg = lineChart({
      title: 'T <x>',
      x: { label: 'rate', scale: 'log' },
      y: { label: 'ms', scale: 'log' },
      series: [{ name: 'a&b', color: '#000', points: [{ x: 100, y: 1 }, { x: 1000, y: 10, hollow: true }] }],
    });
    expect(svg).toContain('<title>T &lt;x&gt;</title>');
    expect(svg.match(/<path class="data"/g)).toHaveLength(1);
    expect(svg.match(/<circle class="mark"/g)).toHaveLength(2);
    expect(svg).toContain('>a&amp;b</text>');
  });

  it('says "no data" instead of drawing an empty plot silently', () => {
    expect(lineChart({ title: 't', x: { label: 'x', scale: 'linear' }, y: { label: 'y', scale: 'log' }, series: [] })).toContain('no data');
  });
});
