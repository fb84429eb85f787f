/**
 * Engine registry: the orchestrator and the CLI pick an engine by name. The names are the scenario's
 * (ENGINE_NAMES, which run.json's steps and `httpbench load --engine` use too); the `satisfies` makes a
 * name without an engine, or an engine whose own name differs from its key, a compile error.
 */
import { ENGINE_NAMES, type EngineName } from '../scenario/schema.ts';
import { AutocannonEngine } from './autocannon.ts';
import { OpenLoopEngine } from './openloop/engine.ts';
import type { LoadEngine } from './types.ts';

const ENGINES = {
  // Open loop: per-connection send schedules, latency from the intended send time (wrk2's model).
  openloop: () => new OpenLoopEngine(),
  // Closed loop: the maximum-throughput step (and side-by-side rate steps).
  autocannon: () => new AutocannonEngine(),
} as const satisfies { [K in EngineName]: () => LoadEngine & { readonly name: K } };

export function engineFor(name: EngineName): LoadEngine {
  return ENGINES[name]();
}

export { ENGINE_NAMES, type EngineName };
export type { LoadEngine, StepSpec, EngineStep } from './types.ts';
/** Several targets at once from one thread (the open-loop engine's duet; `ab --design duet`). */
export { runSideBySide } from './openloop/side-by-side.ts';
