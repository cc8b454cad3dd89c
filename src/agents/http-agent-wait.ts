import { agentWaitProblem, agentWaitSchema, type AgentWaitSpec } from '../runs/agent-wait.ts';
import { RunFailure } from '../runs/run-failure.ts';
import type { RunContext } from './runtime.ts';

/**
 * The wait an http agent asks for: a `202` whose JSON body has `wait` (`{"wait": {"approval":
 * {"prompt": …}}}`, or `event`, `sleep`, `until`: docs/assistants.md). Undefined for any other
 * answer (a 202 without `wait` is a plain success). A `wait` that is not one is the agent's
 * error, named by its field.
 */
export function askedWait(status: number, answer: unknown, where: string): AgentWaitSpec | undefined {
  if (status !== 202 || typeof answer !== 'object' || answer === null || !('wait' in answer)) return undefined;
  const parsed = agentWaitSchema.safeParse((answer as { wait: unknown }).wait);
  if (parsed.success) return parsed.data;
  throw new RunFailure('assistant_error', `${where} answered 202 with an invalid ${agentWaitProblem(parsed.error)}`, {
    retryable: false,
    details: { status, wait: (answer as { wait: unknown }).wait },
  });
}

/**
 * Parks the run on the wait the agent asked for (throws RunParked) or, when it ended at once,
 * returns what the agent is called again with. Where a run cannot wait, a `config` failure.
 */
export async function waitForAgent(context: RunContext, spec: AgentWaitSpec, name: string): Promise<unknown> {
  if (!context.waits) {
    throw new RunFailure(
      'config',
      'the agent asked to wait (202 {"wait": …}), but only a run of the assistant itself can wait: ' +
        'not a workflow step (use a wait node) or a test call',
      { retryable: false },
    );
  }
  return context.waits.wait(spec, { name });
}

/** The request body of a call that resumes the agent: `resume` added to the body object. */
export function withResume(payload: unknown, resume: unknown): unknown {
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) return { ...payload, resume };
  return { body: payload, resume };
}
