/**
 * A third target beside the article's two (Fastify in the default scenario) leaves every Python-vs-Go
 * verdict as it was: the claims name fastapi and go-chi. Only the best-to-best throughput note gains
 * a ratio against the third target, which is where it applies.
 */
import { describe, expect, it } from 'vitest';
import { evaluateClaims } from '../../../src/analysis/claims.ts';
import { RunDocumentSchema, type RunDocument } from '../../../src/schema/run.ts';
import { sampleRun } from '../../helpers/sample-run.ts';

const FASTIFY_CONFIGURATION: Record<string, string> = { '1-worker': '1-process', 'n-workers': 'n-workers' };

/** The sample run with a "fastify" that measured what fastapi did, at 0.8× its throughput. */
function withFastify(doc: RunDocument): RunDocument {
  const three = structuredClone(doc);
  const copies = doc.targets
    .filter((t) => t.name === 'fastapi')
    .map((t) => ({ ...structuredClone(t), name: 'fastify', configuration: FASTIFY_CONFIGURATION[t.configuration]!, maxThroughputRps: t.maxThroughputRps === null ? null : t.maxThroughputRps * 0.8 }));
  three.targets.push(...copies);
  three.scenario.targets.push({
    name: 'fastify',
    context: '.',
    dockerfile: 'docker/fastify.Dockerfile',
    configurations: [
      { id: '1-process', description: '', env: { WORKERS: '1' } },
      { id: 'n-workers', description: '', env: { WORKERS: '${cpus}' } },
    ],
  });
  three.source = { handlerLines: { ...doc.source!.handlerLines, fastify: 8 } };
  return RunDocumentSchema.parse(three);
}

describe('claims with a third target', () => {
  it('judge the Python and Go claims exactly as without it', () => {
    const two = sampleRun();
    const three = withFastify(two);
    const strip = (doc: RunDocument) => evaluateClaims(doc).map(({ ratio: _ratio, ...rest }) => rest);
    expect(strip(three)).toEqual(strip(two));
    // The line-count claim still compares fastapi with go-chi, while fastify's lines are recorded.
    const lines = evaluateClaims(three).find((v) => v.id === 'python-fewer-lines')!;
    expect(lines.reason).toContain('fastapi has 6 lines, go-chi 10');
  });

  it("add the third target to the best-to-best throughput note, after the others' ratio", () => {
    const two = evaluateClaims(sampleRun()).find((v) => v.id === 'go-throughput-200k')!;
    const three = evaluateClaims(withFastify(sampleRun())).find((v) => v.id === 'go-throughput-200k')!;
    expect(two.ratio).toMatch(/^go-chi\/fastapi best-to-best: /);
    expect(three.ratio!.startsWith(`${two.ratio}; go-chi/fastify best-to-best: `)).toBe(true);
  });
});
