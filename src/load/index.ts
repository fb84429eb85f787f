/** Engine registry: the orchestrator and the CLI pick an engine by name. */
import { AutocannonEngine } from './autocannon.ts';
import { OpenLoopEngine } from './openloop/engine.ts';
import type { LoadEngine } from './types.ts';

export function engineFor(name: 'openloop' | 'autocannon'): LoadEngine {
  return name === 'openloop' ? new OpenLoopEngine() : new AutocannonEngine();
}

export type { LoadEngine, StepSpec, EngineStep } from './types.ts';
