/** Docker helpers for end-to-end tests. */
import { execa } from 'execa';
import { HARNESS_LABEL } from '../../src/targets/types.ts';

/** Ids of every container (running or not) that carries the harness's label. */
export async function harnessContainers(): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--filter', `label=${HARNESS_LABEL}`, '--format', '{{.ID}}']);
  return r.stdout.split('\n').filter(Boolean);
}
