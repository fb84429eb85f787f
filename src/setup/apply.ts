/**
 * `httpbench setup`, the doing part: probe → plan → do the first step that can be done → probe
 * again, until every step is done. Each step is said in one line before it runs; nothing is installed
 * that was not named; a step that is already done is only reported. Probes and the command runner
 * come in as SetupDeps, so the loop is tested without touching the machine.
 */
import { InfrastructureError } from '../errors.ts';
import { blockers, formatStep, planSetup, type SetupFacts, type SetupStep, type StepId } from './steps.ts';

export interface CommandOutcome {
  ok: boolean;
  /** Combined stdout+stderr, shown (tail) when the command fails. */
  output: string;
}

export interface SetupDeps {
  gather(forTests: boolean): Promise<SetupFacts>;
  exec(command: string[]): Promise<CommandOutcome>;
  log(line: string): void;
}

export interface SetupOptions {
  forTests: boolean;
  /** Only print the plan; do nothing. */
  check: boolean;
}

/** Lines of a failed command's output shown in the error. */
const OUTPUT_TAIL_LINES = 30;
/** A plan has at most nine steps; more rounds than this means a step "succeeds" without effect. */
const MAX_ROUNDS = 12;

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
}

export async function runSetup(opts: SetupOptions, deps: SetupDeps): Promise<SetupStep[]> {
  const reported = new Set<StepId>();
  const attempted = new Set<StepId>();
  let aptUpdated = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const facts = await deps.gather(opts.forTests);
    const steps = planSetup(facts, opts);
    for (const s of steps) {
      if (s.state === 'done' && !reported.has(s.id)) {
        deps.log(formatStep(s));
        reported.add(s.id);
      }
    }
    const open = steps.filter((s) => s.state !== 'done');
    if (open.length === 0) return steps;

    const next = open.find((s): s is Extract<SetupStep, { state: 'todo' }> => s.state === 'todo' && (!s.needsRoot || facts.isRoot));
    if (opts.check || !next) {
      for (const s of open) deps.log(formatStep(s));
      if (opts.check) {
        throw new InfrastructureError(`${open.length} set-up step(s) not done`, { hint: 'run `npx httpbench setup' + (opts.forTests ? ' --for-tests' : '') + '` (as root on Debian/Ubuntu) to do them' });
      }
      const todo = blockers(steps, facts);
      const waiting = open.filter((s) => s.state === 'waiting').map((s) => s.what);
      throw new InfrastructureError(`setup cannot finish on its own:\n${todo.map((t) => `  - ${t}`).join('\n')}`, {
        hint: `do ${todo.length > 1 ? 'these steps' : 'this'}, then run \`npx httpbench setup${opts.forTests ? ' --for-tests' : ''}\` again${waiting.length ? ` (it then sees to: ${waiting.join(', ')})` : ''}`,
      });
    }
    if (attempted.has(next.id)) {
      throw new InfrastructureError(`set-up step "${next.what}" ran but is still not done: ${next.detail}`, {
        hint: `run \`${next.command.join(' ')}\` by hand to see why`,
      });
    }
    attempted.add(next.id);
    deps.log(formatStep(next));
    if (next.command[0] === 'apt-get' && !aptUpdated) {
      const update = await deps.exec(['apt-get', 'update', '-qq']);
      if (!update.ok) throw new InfrastructureError(`apt-get update failed:\n${tail(update.output)}`, { hint: 'check the apt sources and the network, then run setup again' });
      aptUpdated = true;
    }
    const outcome = await deps.exec(next.command);
    if (!outcome.ok) {
      throw new InfrastructureError(`set-up step "${next.what}" failed (${next.command.join(' ')}):\n${tail(outcome.output)}`, {
        hint: 'fix the cause above, then run setup again (finished steps are skipped)',
      });
    }
  }
  throw new InfrastructureError(`setup did not settle after ${MAX_ROUNDS} rounds`, { hint: 'run `npx httpbench setup --check` to see which step keeps coming back' });
}
