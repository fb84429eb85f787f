/**
 * Loads a scenario file: YAML → schema validation → checks against this machine. Every problem is
 * collected and reported at once with its path (k6's config validation is the model), exit code 2.
 */
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { checkTextSize, MAX_CONFIG_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.ts';
import { parseYamlDocument, yamlToJs } from '../util/yaml.ts';
import { isDockerTarget, isUrlTarget, ScenarioSchema, type Scenario } from './schema.ts';
import { formatCpuset, parseCpuset } from './cpuset.ts';
import { resolveCpus } from './resolve.ts';
import { checkThresholds } from './thresholds.ts';
import { formatIssues } from '../util/issues.ts';

export interface MachineFacts {
  /** Logical CPUs of the host, numbered 0..cpuCount-1. */
  cpuCount: number;
  /** Physical memory of the host, bytes (os.totalmem()); memory limits above it are refused. */
  memoryBytes?: number;
}

/**
 * A project-relative path (context, dockerfile, handler) must stay inside the project: the README
 * promises it, and a context of /etc would pack and send /etc to the Docker daemon.
 */
export function projectPathProblem(field: string, value: string): string | null {
  if (value.includes('\0')) return `${field}: contains a NUL character`;
  if (path.isAbsolute(value) || path.win32.isAbsolute(value)) return `${field}: "${value}" is absolute; give a path relative to the project root`;
  const normal = path.posix.normalize(value.replaceAll('\\', '/'));
  if (normal === '..' || normal.startsWith('../')) return `${field}: "${value}" leaves the project root; keep it inside the project`;
  return null;
}

/** Checks that need the machine or relate several fields; returns problems, never throws. */
export function checkScenario(scenario: Scenario, machine: MachineFacts): string[] {
  const problems: string[] = [];
  const { resources, load } = scenario;
  const cpusets: Array<[string, string | undefined]> = [
    ['resources.targetCpuset', resources.targetCpuset],
    ['resources.generatorCpuset', resources.generatorCpuset],
  ];
  const parsed: Record<string, number[]> = {};
  const cpus = resolveCpus(resources.cpus, machine.cpuCount);
  for (const [path, value] of cpusets) {
    if (value === undefined) continue;
    const cpus = parseCpuset(value);
    const outside = cpus.filter((c) => c >= machine.cpuCount);
    if (outside.length > 0) {
      problems.push(`${path}: CPU ${formatCpuset(outside)} is outside this machine (CPUs 0-${machine.cpuCount - 1})`);
    }
    parsed[path] = cpus;
  }
  const target = parsed['resources.targetCpuset'];
  if (target && target.length !== cpus) {
    problems.push(`resources.targetCpuset: names ${target.length} CPU(s) but resources.cpus is ${cpus}; make them agree`);
  }
  if (!resources.targetCpuset && cpus > machine.cpuCount) {
    problems.push(`resources.cpus: ${cpus} CPUs asked for but this machine has ${machine.cpuCount}`);
  }
  const generator = parsed['resources.generatorCpuset'];
  if (target && generator && target.some((c) => generator.includes(c))) {
    problems.push('resources.generatorCpuset: overlaps resources.targetCpuset; generator and target must use disjoint CPUs');
  }
  if (machine.memoryBytes !== undefined && resources.memoryMiB * 1024 * 1024 > machine.memoryBytes) {
    problems.push(`resources.memoryMiB: ${resources.memoryMiB} MiB asked for but this machine has ${Math.floor(machine.memoryBytes / (1024 * 1024))} MiB`);
  }
  if (load.ids.min > load.ids.max) problems.push(`load.ids.min: ${load.ids.min} is greater than load.ids.max ${load.ids.max}`);
  const rates = load.steps.rates === 'auto' ? [] : load.steps.rates;
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! <= rates[i - 1]!) {
      problems.push(`load.steps.rates[${i}]: rates must increase (${rates[i]} after ${rates[i - 1]})`);
    }
  }
  const names = new Set<string>();
  scenario.targets.forEach((t, i) => {
    if (names.has(t.name)) problems.push(`targets[${i}].name: duplicate target name '${t.name}'`);
    names.add(t.name);
    const paths: Array<[string, string | undefined]> = [
      ['context', isDockerTarget(t) ? t.context : undefined],
      ['dockerfile', isDockerTarget(t) ? t.dockerfile : undefined],
      ['handler', t.handler],
    ];
    for (const [key, value] of paths) {
      const problem = value === undefined ? null : projectPathProblem(`targets[${i}].${key}`, value);
      if (problem) problems.push(problem);
    }
    const ids = new Set<string>();
    t.configurations.forEach((c, j) => {
      if (ids.has(c.id)) problems.push(`targets[${i}].configurations[${j}].id: duplicate configuration id '${c.id}'`);
      ids.add(c.id);
      problems.push(...storeProblems(`targets[${i}].configurations[${j}]`, c, isUrlTarget(t)));
    });
  });
  problems.push(...checkThresholds(scenario));
  problems.push(...databaseProblems(scenario, machine));
  return problems;
}

/** The harness sets these for every `store: postgres` configuration (targets/CONTRACT.md). */
export const DATABASE_ENV = ['STORE', 'DATABASE_URL', 'DB_POOL_SIZE', 'USERS'] as const;

function storeProblems(at: string, c: Scenario['targets'][number]['configurations'][number], isUrl: boolean): string[] {
  const problems: string[] = [];
  // USERS alone is fine for the memory store (its data set size); with postgres the harness seeds exactly load.ids.max.
  const owned = DATABASE_ENV.filter((key) => key in c.env && (key !== 'USERS' || c.store === 'postgres'));
  if (owned.length > 0) {
    problems.push(`${at}.env: sets ${owned.join(', ')}; remove them and set store: postgres (the harness passes them, with database.poolSize and load.ids.max)`);
  }
  if (c.store === 'postgres' && isUrl) {
    problems.push(`${at}.store: a url: target runs outside the harness, which cannot give it a database; use store: memory`);
  }
  // The store must show in every figure's label, and labels are configuration ids.
  if (c.store === 'postgres' && !c.id.includes('postgres')) {
    problems.push(`${at}.id: '${c.id}' uses store: postgres but its id does not say so; name it e.g. '${c.id}-postgres' (ids label every figure)`);
  }
  return problems;
}

function databaseProblems(scenario: Scenario, machine: MachineFacts): string[] {
  const db = scenario.database;
  if (!scenario.targets.some((t) => t.configurations.some((c) => c.store === 'postgres'))) return [];
  const problems: string[] = [];
  const seeder = scenario.targets.find((t) => t.name === db.seed.target);
  if (!seeder || !isDockerTarget(seeder)) {
    problems.push(`database.seed.target: '${db.seed.target}' is not a Docker target of this scenario; name one whose image has a seed command (go-chi: ['-seed'], fastapi: ['python', '-m', 'app.seed'])`);
  }
  if (db.cpuset !== undefined) {
    const outside = parseCpuset(db.cpuset).filter((c) => c >= machine.cpuCount);
    if (outside.length > 0) problems.push(`database.cpuset: CPU ${formatCpuset(outside)} is outside this machine (CPUs 0-${machine.cpuCount - 1})`);
  }
  if (machine.memoryBytes !== undefined && db.memoryMiB * 1024 * 1024 > machine.memoryBytes) {
    problems.push(`database.memoryMiB: ${db.memoryMiB} MiB asked for but this machine has ${Math.floor(machine.memoryBytes / (1024 * 1024))} MiB`);
  }
  if ('port' in db.settings || 'listen_addresses' in db.settings || 'unix_socket_directories' in db.settings) {
    problems.push('database.settings: port, listen_addresses and unix_socket_directories are the harness\'s (127.0.0.1 on a free port); remove them');
  }
  const maxConnections = Number(db.settings.max_connections ?? 100);
  // FastAPI opens one pool per worker; ${cpus} workers at most, so poolSize × cpus bounds a target.
  const cpus = resolveCpus(scenario.resources.cpus, machine.cpuCount);
  if (Number.isFinite(maxConnections) && db.poolSize * cpus > maxConnections - 3) {
    problems.push(`database.poolSize: ${db.poolSize} connections × up to ${cpus} processes exceeds max_connections ${maxConnections} (3 reserved); lower poolSize or raise database.settings.max_connections`);
  }
  return problems;
}

/** Parses and validates scenario text. `source` names the file in messages. */
export function parseScenario(text: string, source: string, machine: MachineFacts): Scenario {
  checkTextSize(text, `scenario ${source}`, MAX_CONFIG_FILE_BYTES);
  const doc = parseYamlDocument(text, source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${source} is not valid YAML`, {
      problems: doc.errors.map((e) => e.message.split('\n')[0] ?? e.message),
      hint: 'fix the YAML syntax at the line shown',
    });
  }
  const raw: unknown = yamlToJs(doc, source);
  const result = ScenarioSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(`${source} has ${result.error.issues.length} problem(s)`, {
      problems: formatIssues(result.error.issues, 'scenarios/article.yaml'),
      hint: 'scenarios/article.yaml shows every field with comments',
    });
  }
  const problems = checkScenario(result.data, machine);
  if (problems.length > 0) {
    throw new ConfigError(`${source} has ${problems.length} problem(s)`, { problems, hint: 'scenarios/article.yaml shows every field with comments' });
  }
  // As written ("half", "auto" kept): src/scenario/resolve.ts turns it into the numbers a run uses.
  return result.data;
}

export async function loadScenario(file: string, machine: MachineFacts): Promise<Scenario> {
  let text: string;
  try {
    text = await readTextFileBounded(file, MAX_CONFIG_FILE_BYTES, `scenario ${file}`);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read scenario ${file}`, {
      cause: error,
      hint: 'pass --scenario with an existing file, e.g. scenarios/article.yaml',
    });
  }
  return parseScenario(text, file, machine);
}
