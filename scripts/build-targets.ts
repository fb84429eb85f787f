/**
 * Builds every Docker target of a scenario with src/targets buildImage — a stop-gap until the CLI's
 * `httpbench build` exists (scripts/ci-docker-setup.sh calls this).
 *
 *   npx tsx scripts/build-targets.ts [--scenario scenarios/ci.yaml] [--extra-ca FILE] [--no-cache] [--only NAME]
 *
 * Prints one line per target: tag, size in bytes, build time, base images used. Exit 3 on a failed build.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { HttpbenchError } from '../src/errors.ts';
import { DockerTargetSchema, type DockerTargetSpec } from '../src/scenario/schema.ts';
import { buildImage, connectDocker } from '../src/targets/docker.ts';

const projectRoot = path.resolve(import.meta.dirname, '..');

async function dockerTargets(scenarioFile: string): Promise<DockerTargetSpec[]> {
  const doc = parse(await readFile(scenarioFile, 'utf8')) as { targets?: unknown[] };
  // Only the target entries matter here; the full scenario is validated by the CLI.
  return (doc.targets ?? []).flatMap((t) => {
    const parsed = DockerTargetSchema.safeParse(t);
    return parsed.success ? [parsed.data] : [];
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'scenarios/ci.yaml' },
      'extra-ca': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
    },
  });
  const specs = (await dockerTargets(path.resolve(projectRoot, values.scenario))).filter(
    (s) => !values.only || values.only.includes(s.name),
  );
  if (specs.length === 0) throw new Error(`no Docker targets selected from ${values.scenario}`);
  const docker = await connectDocker();
  for (const spec of specs) {
    const result = await buildImage(docker, spec, {
      projectRoot,
      extraCaFile: values['extra-ca'] ?? null,
      noCache: values['no-cache'],
      onProgress: (line) => {
        if (values.verbose || line.startsWith('base ')) console.log(`  [${spec.name}] ${line}`);
      },
    });
    const bases = result.baseImages.map((b) => `${b.used} (${b.source})`).join(', ');
    console.log(`${result.tag} ${result.sizeBytes} bytes, built in ${(result.durationMs / 1000).toFixed(1)} s, base ${bases}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  if (error instanceof HttpbenchError && error.hint) console.error(`hint: ${error.hint}`);
  process.exitCode = error instanceof HttpbenchError ? error.exitCode : 1;
});
