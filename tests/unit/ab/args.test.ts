import { describe, expect, it } from 'vitest';
import { parseEnvOverrides, parseVariantSource, unknownEnvProblems } from '../../../src/ab/args.ts';

describe('ab variant flags', () => {
  it('reads a git ref or image:NAME', () => {
    expect(parseVariantSource('origin/main', '--baseline')).toEqual({ kind: 'ref', ref: 'origin/main' });
    expect(parseVariantSource('HEAD~1', '--baseline')).toEqual({ kind: 'ref', ref: 'HEAD~1' });
    expect(parseVariantSource('image:httpbench/go-chi:ab-1234', '--candidate')).toEqual({ kind: 'image', image: 'httpbench/go-chi:ab-1234' });
  });
  it('refuses an option-looking ref, whitespace, and an empty image', () => {
    expect(() => parseVariantSource('--upload-pack=x', '--baseline')).toThrow('--baseline "--upload-pack=x" is not a git ref or image:NAME');
    expect(() => parseVariantSource('a b', '--baseline')).toThrow('is not a git ref');
    expect(() => parseVariantSource('image:', '--candidate')).toThrow('is not a Docker image reference');
  });
  it('parses K=V (value may hold =, later repeats win) and refuses the rest', () => {
    expect(parseEnvOverrides(['EXTRA_WAIT_US=500', 'A=b=c', 'EXTRA_WAIT_US=600'], '--candidate-env')).toEqual({ EXTRA_WAIT_US: '600', A: 'b=c' });
    expect(parseEnvOverrides(['EMPTY='], '--candidate-env')).toEqual({ EMPTY: '' });
    expect(() => parseEnvOverrides(['=1'], '--candidate-env')).toThrow('is not K=V');
    expect(() => parseEnvOverrides(['1X=1'], '--candidate-env')).toThrow('is not K=V');
    expect(() => parseEnvOverrides(['HOST=0.0.0.0'], '--baseline-env')).toThrow('the harness sets HOST itself');
    expect(() => parseEnvOverrides(['A=x\ny'], '--baseline-env')).toThrow('control character');
  });
  it('names every variable a target does not read', () => {
    expect(unknownEnvProblems({ GOMAXPROCS: '2', EXTRA_WAIT_US: '1' }, '--candidate-env', [{ name: 'fastapi', env: ['WORKERS', 'EXTRA_WAIT_US'] }, { name: 'go-chi', env: ['GOMAXPROCS', 'EXTRA_WAIT_US'] }])).toEqual([
      '--candidate-env GOMAXPROCS: fastapi does not read GOMAXPROCS (its target.yaml lists WORKERS, EXTRA_WAIT_US)',
    ]);
  });
});
