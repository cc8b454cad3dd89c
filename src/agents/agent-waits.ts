import type { Clock } from '../clock.ts';
import { agentWaitRequest, agentWaitResult, type AgentWaitSpec } from '../runs/agent-wait.ts';
import { openWait } from '../runs/open-wait.ts';
import { RunFailure } from '../runs/run-failure.ts';
import { RunParked } from '../runs/wait.ts';
import { agentWaitPrefix, latestAgentWait } from '../store/agent-waits.ts';
import type { Database } from '../store/database.ts';
import type { StepFence } from '../store/run-steps.ts';

export type { AgentWaitSpec } from '../runs/agent-wait.ts';

/** The wait an agent run resumes from: how it ended and what the agent kept with it. */
export interface AgentWaitEnd {
  /** 1 for the agent's first wait in this run, 2 for the next, … */
  index: number;
  /** The decision `{approved, comment, by, data, decided_at, timed_out}`, the event or `{woke_at}`. */
  result: unknown;
  /** What the runtime kept with the wait (an llm conversation); null when nothing. */
  state: unknown;
}

/**
 * How a runtime parks its run (docs/waits.md, "Agent runs"): `wait` opens the agent's next wait
 * and throws {@link RunParked} until it ends; the worker releases the run, and when the wait ends
 * the run executes again with `resumed` set, so the runtime continues instead of starting over.
 */
export interface AgentWaits {
  /** The wait the run resumes from (the latest this run opened, ended); undefined on a first start. */
  readonly resumed: AgentWaitEnd | undefined;
  /**
   * Opens the agent's next wait. Resolves with its result when it ended at once (a due time that
   * passed, an event kept for `lookback`); otherwise throws RunParked (let it through).
   */
  wait(spec: AgentWaitSpec, options: { name: string; state?: unknown }): Promise<unknown>;
}

/**
 * The waits of one attempt of an assistant run, found again after a park. A latest wait still
 * open (the run was recovered while it parked) parks the run again at once; a cancelled wait or
 * one that timed out with `on_timeout: "fail"` fails it (see agentWaitResult).
 */
export async function openAgentWaits(deps: {
  db: Database;
  clock: Pick<Clock, 'now'>;
  fence: StepFence;
  input: unknown;
  /** Whether the run has opened waits before; false skips the read (nothing to resume). */
  opened: boolean;
}): Promise<AgentWaits> {
  const { db, clock, fence, input } = deps;
  const latest = deps.opened ? await latestAgentWait(db, fence.runId) : undefined;
  if (latest && latest.resolved_at === null) throw new RunParked(latest);
  const index = latest ? Number(latest.node_key.slice(agentWaitPrefix.length)) : 0;
  const resumed = latest ? { index, result: agentWaitResult(latest), state: latest.state ?? null } : undefined;
  let next = index + 1;
  return {
    resumed,
    async wait(spec, options) {
      const now = new Date(clock.now());
      const request = agentWaitRequest(spec, `${agentWaitPrefix}${next++}`, options.name, now, options.state);
      const wait = await openWait(db, fence, request, input, now);
      if (!wait)
        throw new RunFailure('crashed', 'the run is no longer held by this worker (lease lost)', { retryable: false });
      if (wait.resolved_at === null) throw new RunParked(wait);
      return agentWaitResult(wait);
    },
  };
}
