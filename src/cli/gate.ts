/**
 * The --fail-on option shared by `run` and `report`; the gate itself is src/run/gate.ts. Thresholds
 * always gate; claim verdicts only when --fail-on names them.
 */
import type { Argv } from 'yargs';
import { ConfigError } from '../errors.ts';
import { FAIL_ON_VERDICTS, type FailOn } from '../analysis/verdicts.ts';

export function withFailOn<T>(y: Argv<T>): Argv<T> {
  return y.option('fail-on', {
    type: 'string',
    describe: `also exit 1 when a claim verdict is one of these (comma-separated: ${FAIL_ON_VERDICTS.join(', ')})`,
  }) as never;
}

/** Parses --fail-on; an unknown verdict is a ConfigError (exit 2), never silently ignored. */
export function parseFailOn(value: string | undefined): FailOn[] {
  if (value === undefined) return [];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((v) => !(FAIL_ON_VERDICTS as readonly string[]).includes(v));
  if (unknown.length > 0) throw new ConfigError(`--fail-on: unknown verdict(s) ${unknown.join(', ')}`, { hint: `use ${FAIL_ON_VERDICTS.join(' and/or ')}, e.g. --fail-on refuted` });
  return list as FailOn[];
}
