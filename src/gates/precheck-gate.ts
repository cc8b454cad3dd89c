import { RunFailure } from '../runs/run-failure.ts';
import type { Database } from '../store/database.ts';
import { keepPrecheckResponse, precheckPast, type PrecheckOwner } from '../store/prechecks.ts';
import { runPrecheck, type PrecheckRunDeps } from './precheck-check.ts';
import { precheckSchema } from './precheck-spec.ts';

/** What the gate needs of a claimed run. */
export interface GatedRun {
  id: string;
  schedule_id: string | null;
  trigger_id: string | null;
  trigger: string;
  attempt: number;
  scheduled_for: Date | null;
  not_before: Date;
  input: unknown;
  /** The schedule's (or, for a trigger's run, the trigger's) precheck as stored; null when none. */
  precheck?: unknown;
}

/** Runs a precheck applies to: fires of a schedule and deliveries to a trigger, before their first attempt. */
export function precheckApplies(run: GatedRun): boolean {
  return (
    run.precheck !== null &&
    run.precheck !== undefined &&
    run.attempt === 1 &&
    (run.trigger === 'schedule' || run.trigger === 'event')
  );
}

/**
 * The precheck gate, in the worker between the claim and the call (docs/gates.md): runs the
 * run's precheck and records a `precheck` run event. Resolves when the run may go on (a true
 * condition, or a failed precheck with `on_error: "run"`); throws a `precheck` RunFailure that
 * records the run `skipped` when the condition is false or the precheck failed with `on_error: "skip"`.
 */
export async function precheckGate(
  deps: PrecheckRunDeps & { db: Database },
  run: GatedRun,
  emit: (kind: string, data?: unknown) => Promise<unknown>,
): Promise<void> {
  if (!precheckApplies(run)) return;
  const parsed = precheckSchema.safeParse(run.precheck);
  const onError = parsed.success ? (parsed.data.on_error ?? 'run') : 'run';
  const owner: PrecheckOwner | undefined = run.schedule_id
    ? { scheduleId: run.schedule_id }
    : run.trigger_id
      ? { triggerId: run.trigger_id }
      : undefined;
  if (!parsed.success || !owner) {
    await emit('precheck', {
      verdict: null,
      error: 'the stored precheck is not valid; it was not run',
      on_error: 'run',
    });
    return;
  }
  const precheck = parsed.data;
  const past = await precheckPast(deps.db, owner, run.id);
  const outcome = await runPrecheck(
    precheck,
    { ...past, fire_at: run.scheduled_for ?? run.not_before, input: run.input },
    deps,
  );
  if (outcome.response && precheck.http) await keepPrecheckResponse(deps.db, owner, outcome.response.body);
  const event = {
    status: outcome.response?.status ?? null,
    verdict: outcome.verdict,
    ms: outcome.ms,
    ...(outcome.error !== null && { error: outcome.error, on_error: onError, timed_out: outcome.timedOut }),
  };
  await emit('precheck', event);
  if (outcome.verdict === true) return;
  if (outcome.verdict === false) {
    throw new RunFailure(
      'precheck',
      `skipped: the precheck condition was false${outcome.response ? ` (response status ${outcome.response.status})` : ''}`,
      { skip: true, retryable: false, details: event },
    );
  }
  if (onError === 'skip')
    throw new RunFailure('precheck', `skipped: the precheck failed (on_error: skip): ${outcome.error}`, {
      skip: true,
      retryable: false,
      details: event,
    });
}
