/**
 * A small open-loop step for tests against in-process servers: 200 req/s for 1 s over 8 connections,
 * one thread, unpinned, ids 1–100. Tests override what they exercise.
 */
import type { StepSpec } from '../../src/load/types.ts';

export function stepSpec(baseUrl: string, over: Partial<StepSpec> = {}): StepSpec {
  return {
    baseUrl,
    pathTemplate: '/users/{id}',
    ids: { distribution: 'uniform', min: 1, max: 100, zipfS: 1.1, seed: 1 },
    rateRps: 200,
    durationS: 1,
    connections: 8,
    workers: 1,
    timeoutMs: 1000,
    generatorCpuset: null,
    ...over,
  };
}
