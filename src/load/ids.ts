/**
 * Deterministic id sequences for `{id}` in path templates: uniform, sequential or zipf between min and
 * max (inclusive). Every sequence is a pure function of (spec, stream), so two runs with the same seed
 * request the same ids in the same order — repeatable runs, and workers that don't overlap.
 */
import { ConfigError } from '../errors.ts';
import type { IdsSpec } from './types.ts';

/** Largest id range for zipf: its inverse CDF table costs 8 bytes per id (10 M ids = 80 MB). */
export const ZIPF_MAX_IDS = 10_000_000;

/**
 * A small seeded PRNG (mulberry32: 32-bit state, period 2^32), returning floats in [0, 1).
 * Enough for picking ids; not for cryptography. Chosen over Math.random because it takes a seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative zipf probabilities of ranks 1..n with exponent s: cdf[k−1] = Σ_{i≤k} i^−s / H(n,s). */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / Math.pow(k, s);
    cdf[k - 1] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] = cdf[i]! / sum;
  cdf[n - 1] = 1; // guard against rounding: the last rank always catches u → 1
  return cdf;
}

/** Smallest index i with cdf[i] > u (binary search), i.e. the zipf rank − 1 for a uniform u. */
export function zipfIndex(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Returns a generator of ids. `stream` separates generators that run side by side (worker threads,
 * connections): each stream gets its own seed (random kinds) or its own starting offset (sequential).
 * `random` may be injected for exact tests.
 */
export function createIdSequence(spec: IdsSpec, stream = 0, random?: () => number): () => number {
  const { min, max } = spec;
  if (max < min) throw new ConfigError(`ids.max (${max}) is below ids.min (${min})`, { hint: 'set ids.max ≥ ids.min' });
  const n = max - min + 1;
  // Streams mix the seed with a large odd constant so stream 1 of seed 1 differs from stream 0 of seed 2.
  const rand = random ?? seededRandom((spec.seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
  switch (spec.distribution) {
    case 'sequential': {
      let next = stream % n;
      return () => {
        const id = min + next;
        next = next + 1 === n ? 0 : next + 1;
        return id;
      };
    }
    case 'uniform':
      return () => min + Math.floor(rand() * n);
    case 'zipf': {
      if (n > ZIPF_MAX_IDS) {
        throw new ConfigError(`a zipf id range of ${n} ids is too large (limit ${ZIPF_MAX_IDS})`, { hint: 'lower ids.max or use distribution: uniform' });
      }
      const cdf = zipfCdf(n, spec.zipfS);
      return () => min + zipfIndex(cdf, rand());
    }
  }
}
