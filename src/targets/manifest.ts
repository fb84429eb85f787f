/**
 * Target manifests: each folder under targets/ carries a `target.yaml` that says what the harness
 * needs to know about it — language and handler files (line count), Dockerfile and build context,
 * official base images and their offline stand-ins, its own test command, the stores and environment
 * variables it understands. Build, stand-in bases, line counting, scripts/test-targets.sh,
 * scripts/build-bases.sh and the end-to-end tests read these, so a new target is a new folder.
 * Every problem of every manifest is reported at once (exit 2), like a scenario's.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { projectPathProblem } from '../scenario/load.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import { checkTextSize, MAX_CONFIG_FILE_BYTES } from '../util/bounded-read.ts';
import { formatIssues } from '../util/issues.ts';
import { parseYamlDocument, yamlToJs } from '../util/yaml.ts';
import { baseImageArgs } from './image/dockerfile.ts';

/** Targets live in <project>/targets/<name>/, each described by this file. */
export const TARGETS_DIR = 'targets';
export const MANIFEST_FILE = 'target.yaml';

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lowercase letters, digits and dashes' });
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'must be an environment variable name (A-Z, 0-9, _)' });

export const TargetManifestSchema = z.strictObject({
  /** Equals the folder's name; the default image tag is httpbench/<name>:latest. */
  name,
  description: z.string().default(''),
  /** Picks the line counter (src/analysis/loc.ts); a language without one is recorded "not counted". */
  language: z.string().regex(/^[a-z][a-z0-9+#-]*$/, { error: 'language must be lowercase, e.g. python, go, javascript' }),
  /** Handler files relative to the target's folder; their code lines are summed for the "fewer lines" claim. */
  handler: z.array(z.string().min(1)).min(1, { error: 'name at least one handler file' }),
  build: z.strictObject({
    /** Project-relative; must lie inside `context`. */
    dockerfile: z.string().min(1),
    /** Project-relative build context (filtered by its .dockerignore). */
    context: z.string().min(1).default('.'),
  }),
  /** One entry per `ARG X_IMAGE=official` of the Dockerfile (checked against it). */
  bases: z
    .array(
      z.strictObject({
        arg: z.string().regex(/^[A-Z0-9_]*IMAGE$/, { error: 'arg must be the Dockerfile ARG naming the base, ending in IMAGE' }),
        official: z.string().min(1),
        /** Built by scripts/build-bases.sh from `recipe` (project-relative) when no registry is reachable. */
        standIn: z.strictObject({ image: z.string().min(1), recipe: z.string().min(1) }).optional(),
      }),
    )
    .default([]),
  test: z.strictObject({
    /** A shell command run in the target's folder by scripts/test-targets.sh. */
    command: z.string().min(1),
    /** Programs it needs on PATH (checked before running, so a missing one is named). */
    tools: z.array(z.string().regex(/^[A-Za-z0-9._+-]+$/)).default([]),
  }),
  /** Stores of targets/CONTRACT.md it implements; postgres is optional. */
  stores: z.array(z.enum(['memory', 'postgres'])).min(1).refine((s) => s.includes('memory'), { error: 'every target implements the memory store' }),
  /** Environment variables it understands (targets/CONTRACT.md); HOST and PORT are required. */
  env: z.array(envName).refine((e) => e.includes('HOST') && e.includes('PORT'), { error: 'env must list HOST and PORT (the harness sets them)' }),
});
export type TargetManifestFile = z.infer<typeof TargetManifestSchema>;

export interface TargetManifest extends TargetManifestFile {
  /** The folder, project-relative (targets/<name>). */
  dir: string;
  /** `handler` made project-relative. */
  handlerPaths: string[];
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Problems of one parsed manifest that need the file system or relate fields; never throws. */
async function checkManifest(m: TargetManifestFile, dir: string, projectRoot: string): Promise<string[]> {
  const problems: string[] = [];
  const folder = path.posix.basename(dir);
  if (m.name !== folder) problems.push(`name: '${m.name}' differs from its folder '${folder}'; rename one`);
  const paths: Array<[string, string]> = [
    ['build.dockerfile', m.build.dockerfile],
    ['build.context', m.build.context],
    ...m.handler.map((h, i): [string, string] => [`handler[${i}]`, path.posix.join(dir, h)]),
    ...m.bases.flatMap((b, i): Array<[string, string]> => (b.standIn ? [[`bases[${i}].standIn.recipe`, b.standIn.recipe]] : [])),
  ];
  for (const [field, value] of paths) {
    const problem = projectPathProblem(field, value);
    if (problem) problems.push(problem);
    else if (field !== 'build.context' && !(await exists(path.resolve(projectRoot, value)))) problems.push(`${field}: ${value} does not exist`);
  }
  const dockerfile = await readFile(path.resolve(projectRoot, m.build.dockerfile), 'utf8').catch(() => null);
  if (dockerfile !== null) {
    // The manifest and the Dockerfile must name the same bases, or the stand-in would never be used.
    const declared = baseImageArgs(dockerfile).map((b) => `${b.arg}=${b.official}`).sort();
    const listed = m.bases.map((b) => `${b.arg}=${b.official}`).sort();
    if (declared.join(' ') !== listed.join(' ')) {
      problems.push(`bases: lists ${listed.join(', ') || 'none'} but ${m.build.dockerfile} declares ${declared.join(', ') || 'none'} (ARG X_IMAGE=… before the first FROM); make them agree`);
    }
  }
  return problems;
}

/**
 * Every manifest under <projectRoot>/targets, sorted by name. A folder without target.yaml, an
 * invalid field, a missing file, two targets of one name: all reported together in one ConfigError.
 */
export async function loadTargetManifests(projectRoot: string): Promise<TargetManifest[]> {
  const root = path.join(projectRoot, TARGETS_DIR);
  const listing = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    // A project without targets/ (a test fixture, a url:-only checkout) simply has no manifests.
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const folders = listing.filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const problems: string[] = [];
  const manifests: TargetManifest[] = [];
  for (const folder of folders) {
    const dir = `${TARGETS_DIR}/${folder}`;
    const file = `${dir}/${MANIFEST_FILE}`;
    const text = await readFile(path.join(projectRoot, file), 'utf8').catch(() => null);
    if (text === null) {
      problems.push(`${file}: missing; every folder under ${TARGETS_DIR}/ is a target and needs a manifest (copy targets/fastify/${MANIFEST_FILE})`);
      continue;
    }
    checkTextSize(text, file, MAX_CONFIG_FILE_BYTES);
    const doc = parseYamlDocument(text, file, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      problems.push(...doc.errors.map((e) => `${file}: ${e.message.split('\n')[0] ?? e.message}`));
      continue;
    }
    const parsed = TargetManifestSchema.safeParse(yamlToJs(doc, file) ?? {});
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, `targets/fastify/${MANIFEST_FILE}`).map((p) => `${file}: ${p}`));
      continue;
    }
    const own = await checkManifest(parsed.data, dir, projectRoot);
    problems.push(...own.map((p) => `${file}: ${p}`));
    manifests.push({ ...parsed.data, dir, handlerPaths: parsed.data.handler.map((h) => path.posix.join(dir, h)) });
  }
  if (problems.length > 0) {
    throw new ConfigError(`target manifests have ${problems.length} problem(s)`, {
      problems,
      hint: `each targets/<name>/${MANIFEST_FILE} is described in targets/fastify/${MANIFEST_FILE} and the README's "Add a target"`,
    });
  }
  return manifests;
}

/** Official base → its local stand-in, over all manifests (the build falls back to these offline). */
export function standInBases(manifests: readonly TargetManifest[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of manifests) for (const b of m.bases) if (b.standIn) out[b.official] = b.standIn.image;
  return out;
}

/** The stand-ins to build, one per image (several targets may share a base), with their recipes. */
export function standInRecipes(manifests: readonly TargetManifest[]): Array<{ image: string; official: string; recipe: string }> {
  const seen = new Map<string, { image: string; official: string; recipe: string }>();
  for (const m of manifests) for (const b of m.bases) if (b.standIn && !seen.has(b.standIn.image)) seen.set(b.standIn.image, { image: b.standIn.image, official: b.official, recipe: b.standIn.recipe });
  return [...seen.values()];
}

/** A scenario-style Docker target for a manifest (one default configuration). */
export function dockerSpecOf(m: TargetManifest): DockerTargetSpec {
  return { name: m.name, context: m.build.context, dockerfile: m.build.dockerfile, configurations: [{ id: 'default', description: '', env: {} }] };
}

/** The manifest a scenario's Docker target is built from: same Dockerfile (names may differ). */
export function manifestForDockerfile(manifests: readonly TargetManifest[], dockerfile: string): TargetManifest | null {
  const normal = path.posix.normalize(dockerfile.replaceAll('\\', '/'));
  return manifests.find((m) => path.posix.normalize(m.build.dockerfile) === normal) ?? null;
}

/**
 * Configuration env variables a Docker target's manifest does not list (a typo such as `WORKER`, or
 * GOMAXPROCS given to a Python target): the run would measure a configuration that is not the one
 * described. One problem per variable, with its scenario path.
 */
export function configurationEnvProblems(
  targets: ReadonlyArray<{ name: string; dockerfile?: string; configurations: ReadonlyArray<{ id: string; env: Record<string, string>; store?: string }> }>,
  manifests: readonly TargetManifest[],
): string[] {
  const problems: string[] = [];
  targets.forEach((t, i) => {
    const manifest = t.dockerfile === undefined ? null : manifestForDockerfile(manifests, t.dockerfile);
    if (!manifest) return;
    t.configurations.forEach((c, j) => {
      // A store the target does not implement would fail at start-up, after the other configurations ran.
      if (c.store !== undefined && !(manifest.stores as readonly string[]).includes(c.store)) {
        problems.push(`targets[${i}].configurations[${j}].store: ${manifest.name} has no ${c.store} store (${manifest.dir}/target.yaml lists ${manifest.stores.join(', ')})`);
      }
      for (const key of Object.keys(c.env)) {
        if (!manifest.env.includes(key)) {
          problems.push(`targets[${i}].configurations[${j}].env.${key}: ${manifest.name} does not read ${key} (${manifest.dir}/target.yaml lists ${manifest.env.join(', ')})`);
        }
      }
    });
  });
  return problems;
}
