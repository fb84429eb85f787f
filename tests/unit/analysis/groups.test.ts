import { describe, expect, it } from 'vitest';
import { groupResults, groupTargets } from '../../../src/analysis/groups.ts';
import { makeDoc, makeTarget } from '../../helpers/sample-run.ts';

const t = (name: string, configuration: string, repetition: number) => makeTarget({ name, configuration, repetition });
const shape = (groups: ReturnType<typeof groupResults>) => groups.map((g) => `${g.name}/${g.configuration}:${g.results.map((r) => r.repetition).join(',')}`);

describe('grouping by target and configuration', () => {
  const results = [t('go-chi', 'all-cores', 2), t('zeta', 'x', 1), t('fastapi', '1-worker', 2), t('go-chi', 'all-cores', 1), t('alpha', 'y', 1), t('fastapi', '1-worker', 1)];

  it('keeps first-appearance order and sorts each group by repetition', () => {
    expect(shape(groupResults(results))).toEqual(['go-chi/all-cores:1,2', 'zeta/x:1', 'fastapi/1-worker:1,2', 'alpha/y:1']);
  });

  it('orders a run by the scenario (targets, then configurations), then the others by name', () => {
    expect(shape(groupTargets(makeDoc(results)))).toEqual(['fastapi/1-worker:1,2', 'go-chi/all-cores:1,2', 'alpha/y:1', 'zeta/x:1']);
  });
});
