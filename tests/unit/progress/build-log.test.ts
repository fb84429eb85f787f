import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildLogCondenser, formatBuildLine } from '../../../src/progress/build-log.ts';
import { ROOT } from '../../helpers/cli.ts';

/** Build logs recorded from Docker 20.10's classic builder through buildImage's onProgress. */
const fixture = (name: string): string[] => JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/build-log', name), 'utf8'));

/** Feeds a log; returns what a person sees: the live line after each step change, and errors. */
function condense(lines: string[], name: string): string[] {
  const c = new BuildLogCondenser();
  const shown: string[] = [];
  let last = '';
  for (const line of lines) {
    const urgent = c.push(line);
    if (urgent) shown.push(`! ${urgent}`);
    const live = formatBuildLine(name, c.progress, 1.5);
    if (live !== last) shown.push(live);
    last = live;
  }
  expect(c.lines).toEqual(lines);
  return shown;
}

describe('BuildLogCondenser', () => {
  it('a successful build shows only its step counter and instructions', () => {
    expect(condense(fixture('classic-ok.json'), 'fixture')).toEqual([
      '[fixture] building image: starting · 1.5 s',
      '[fixture] building image: step 1/10 · ARG BASE_IMAGE=httpbench-base/debian:trixie · 1.5 s',
      '[fixture] building image: step 2/10 · FROM ${BASE_IMAGE} AS build · 1.5 s',
      '[fixture] building image: step 3/10 · RUN echo building && echo warn >&2 · 1.5 s',
      '[fixture] building image: step 4/10 · COPY hello.txt /hello.txt · 1.5 s',
      '[fixture] building image: step 5/10 · RUN test -s /hello.txt · 1.5 s',
      '[fixture] building image: step 6/10 · FROM ${BASE_IMAGE} · 1.5 s',
      '[fixture] building image: step 7/10 · COPY --from=build /hello.txt /hello.txt · 1.5 s',
      '[fixture] building image: step 8/10 · USER 65534 · 1.5 s',
      '[fixture] building image: step 9/10 · LABEL io.httpbench.base-images=httpbench-base/d… · 1.5 s',
      '[fixture] building image: step 10/10 · LABEL io.httpbench.target=fixture · 1.5 s',
    ]);
  });

  it('a failed build shows the step it died in and the error, and keeps every line', () => {
    expect(condense(fixture('classic-failed.json'), 'bad')).toEqual([
      '[bad] building image: step 1/5 · FROM httpbench-base/debian:trixie · 1.5 s',
      '[bad] building image: step 2/5 · RUN echo step two · 1.5 s',
      "[bad] building image: step 3/5 · RUN sh -c 'echo failing now >&2; exit 7' · 1.5 s",
      "! ERROR: The command '/bin/sh -c sh -c 'echo failing now >&2; exit 7'' returned a non-zero code: 7",
    ]);
  });
});
