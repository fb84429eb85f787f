/**
 * The scenario's `hosts` entry, read before the scenario itself is checked: where the targets run
 * decides which machine's CPUs and memory the scenario is checked against (see load.ts).
 */
import { ConfigError } from '../errors.ts';
import { MAX_CONFIG_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.ts';
import { formatIssues } from '../util/issues.ts';
import { parseYamlDocument, yamlToJs } from '../util/yaml.ts';
import { HostsSchema } from './schema.ts';

export type ScenarioHosts = NonNullable<ReturnType<typeof HostsSchema.parse>>;

/** `hosts` of scenario text, validated; undefined when absent or when the YAML is broken (loadScenario says why). */
export function scenarioHosts(text: string, source: string): ScenarioHosts | undefined {
  const doc = parseYamlDocument(text, source, { uniqueKeys: true });
  if (doc.errors.length > 0) return undefined;
  const raw = yamlToJs(doc, source) as { hosts?: unknown } | null;
  if (raw === null || typeof raw !== 'object' || raw.hosts === undefined) return undefined;
  const parsed = HostsSchema.safeParse(raw.hosts);
  if (!parsed.success) {
    throw new ConfigError(`${source}: hosts has ${parsed.error.issues.length} problem(s)`, {
      problems: formatIssues(parsed.error.issues, 'README "Two machines"').map((p) => `hosts.${p}`),
      hint: 'hosts: { targets: { docker: "tcp://ADDRESS:2375", address: "ADDRESS" } }',
    });
  }
  return parsed.data;
}

export async function readScenarioHosts(file: string): Promise<ScenarioHosts | undefined> {
  // An unreadable file is loadScenario's to report, with its own hint.
  const text = await readTextFileBounded(file, MAX_CONFIG_FILE_BYTES, `scenario ${file}`).catch(() => null);
  return text === null ? undefined : scenarioHosts(text, file);
}
