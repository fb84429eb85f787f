/**
 * YAML with bounds. The `yaml` package protects against alias bombs ("billion laughs") by throwing
 * from toJS once aliases expand too often; unhandled, that was a stack trace and exit 70. Here every
 * failure of the library on hostile input becomes a ConfigError (exit 2) naming the file.
 */
import { parseDocument, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';
import { ConfigError } from '../errors.ts';

/** Alias dereferences allowed in one file; real scenarios use none or a handful. */
export const MAX_YAML_ALIASES = 100;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** parseDocument, with a library exception (e.g. stack exhaustion on deep nesting) as a ConfigError. */
export function parseYamlDocument(text: string, source: string, options: ParseOptions & DocumentOptions & SchemaOptions): Document.Parsed {
  try {
    return parseDocument(text, options);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML (${firstLine(error)})`, { cause: error, hint: 'fix the YAML syntax' });
  }
}

/** The document's plain value, with aliases capped at MAX_YAML_ALIASES expansions. */
export function yamlToJs(doc: Document.Parsed, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw new ConfigError(`${source} cannot be expanded: ${firstLine(error)}`, {
      cause: error,
      hint: `YAML aliases (*name) may expand at most ${MAX_YAML_ALIASES} times; write the values out instead`,
    });
  }
}
