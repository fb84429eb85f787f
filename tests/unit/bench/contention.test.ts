/** bench:contention's tabulation of one run's marks: exact figures on a hand-made document. */
import { describe, expect, it } from 'vitest';
import { marksRow, runMarks } from '../../../bench/contention-lib.ts';
import type { Contention } from '../../../src/schema/run.ts';
import { makeDoc, makeStep, makeTarget } from '../../helpers/sample-run.ts';

const figures = (generatorOther: number, targetSteal: number): Contention => ({
  intervalMs: 2000,
  generatorCpus: '0',
  generatorCpusOtherPercent: generatorOther,
  generatorCpusStealPercent: 0.5,
  targetCpus: '1',
  targetCpusOtherPercent: 1,
  targetCpusStealPercent: targetSteal,
});

function doc(...contentions: Array<Contention | undefined>) {
  const steps = contentions.map((c, i) => ({ ...makeStep({ offeredRps: 100 * (i + 1), achievedRps: 100 * (i + 1) }), ...(c ? { contention: c } : {}) }));
  return makeDoc([makeTarget({ name: 'go-chi', configuration: 'c', steps })]);
}

describe('runMarks', () => {
  it('counts measured steps, names the marked and the unmarked ones, and keeps the largest shares', () => {
    const m = runMarks(doc(figures(2, 3), figures(74, 1), undefined, figures(0, 26)));
    expect(m.measured).toBe(3);
    expect(m.marked).toEqual(['go-chi/c #1 200 req/s', 'go-chi/c #1 400 req/s']);
    expect(m.unmarked).toEqual(['go-chi/c #1 100 req/s']);
    expect(m.maxOtherPercent).toBe(74);
    expect(m.maxStealPercent).toBe(26);
    expect(m.headline).toMatch(/^2 of 3 steps contended/);
  });

  it('reads a quiet run as quiet: nothing marked, no headline line', () => {
    const m = runMarks(doc(figures(9.9, 25)));
    expect(m).toEqual({ measured: 1, marked: [], unmarked: ['go-chi/c #1 100 req/s'], maxOtherPercent: 9.9, maxStealPercent: 25, headline: null });
  });
});

describe('marksRow', () => {
  it('calls a mark in a quiet run false, and an unmarked step in a hog run a miss', () => {
    const m = runMarks(doc(figures(2, 3), figures(74, 1)));
    expect(marksRow('quiet-1', 'quiet', m)).toBe('| quiet-1 | quiet | 2 | 1 | 74.0 | 3.0 | yes | 1 false mark(s): go-chi/c #1 200 req/s |');
    expect(marksRow('hog', 'hog', m)).toBe('| hog | hog | 2 | 1 | 74.0 | 3.0 | yes | 1 step(s) not marked: go-chi/c #1 100 req/s |');
  });
});
