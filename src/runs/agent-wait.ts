import { z } from 'zod';
import { parseDuration } from '../time/durations.ts';
import { approverRoles, defaultApprovalTimeoutMs } from './approval-wait.ts';
import { compileEventMatch, maxLookbackMs } from './event-wait.ts';
import { RunFailure } from './run-failure.ts';
import { parseUntil } from './timer-wait.ts';
import type { WaitRequest, WaitRow } from './wait.ts';

/** The longest an agent may wait (as a workflow wait node). */
const maxWaitMs = 365 * 86_400_000;

function duration(max: number, positive: boolean) {
  return z.union([z.number(), z.string().max(100)]).refine(
    (value) => {
      const ms = parseDuration(value);
      return ms !== undefined && ms <= max && (!positive || ms > 0);
    },
    { message: `must be a duration (seconds, "15m", "PT1H") of at most ${max / 86_400_000} days` },
  );
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const approver = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((value) => uuidShape.test(value) || (approverRoles as readonly string[]).includes(value), {
    message: `must be a user id or one of ${approverRoles.join(', ')}`,
  });

/** Settings of an approval an agent asks for (the prompt comes with each request). */
export const agentApprovalSettingsSchema = z.strictObject({
  /** User ids, `role:admin` or `role:member`; the run's owner and admins may always decide. */
  approvers: z.array(approver).max(100).optional(),
  /** Default 7 days. */
  timeout: duration(maxWaitMs, true).optional(),
  /** Default `reject`. */
  on_timeout: z.enum(['reject', 'approve', 'fail']).optional(),
});

/**
 * What an agent asks to wait for: exactly one of `approval`, `event`, `sleep` and `until`, the
 * same shapes as a workflow `wait` node (docs/waits.md) with the prompt already written.
 */
export const agentWaitSchema = z
  .strictObject({
    approval: agentApprovalSettingsSchema
      .extend({ prompt: z.string().min(1, 'may not be empty').max(10_000) })
      .optional(),
    event: z
      .strictObject({
        name: z.string().trim().min(1, 'may not be empty').max(200),
        match: z
          .string()
          .max(2000)
          .superRefine((text, ctx) => {
            try {
              compileEventMatch(text);
            } catch (error) {
              ctx.addIssue({ code: 'custom', message: `does not compile: ${(error as Error).message}` });
            }
          })
          .optional(),
        timeout: duration(maxWaitMs, true).optional(),
        on_timeout: z.enum(['fail', 'continue']).optional(),
        lookback: duration(maxLookbackMs, false).optional(),
      })
      .optional(),
    sleep: duration(maxWaitMs, false).optional(),
    until: z
      .string()
      .max(100)
      .refine((text) => parseUntil(text) !== undefined, { message: 'must be an ISO time with an offset' })
      .optional(),
  })
  .refine((spec) => ['approval', 'event', 'sleep', 'until'].filter((k) => k in spec).length === 1, {
    message: 'give exactly one of approval, event, sleep or until',
  });

export type AgentWaitSpec = z.output<typeof agentWaitSchema>;

/** The first problem of an invalid spec as `path: message` (`wait.approval.prompt: may not be empty`). */
export function agentWaitProblem(error: z.ZodError, prefix = 'wait'): string {
  const issue = error.issues[0];
  return `${[prefix, ...(issue?.path ?? []).map(String)].join('.')}: ${issue?.message ?? 'invalid'}`;
}

const ms = (value: number | string | undefined) => (value === undefined ? undefined : (parseDuration(value) ?? 0));

/** The wait an agent's spec asks for, as the `waits` row keyed `key` (durations as instants from `now`). */
export function agentWaitRequest(
  spec: AgentWaitSpec,
  key: string,
  name: string,
  now: Date,
  state: unknown,
): WaitRequest {
  const after = (duration: number | undefined) => (duration === undefined ? null : new Date(now.getTime() + duration));
  const base = {
    nodeKey: key,
    nodeName: name,
    since: now,
    prompt: null,
    approvers: [],
    eventName: null,
    match: null,
    lookbackMs: 0,
    onTimeout: null,
    state,
  };
  if (spec.approval) {
    return {
      ...base,
      kind: 'approval',
      until: after(ms(spec.approval.timeout) ?? defaultApprovalTimeoutMs),
      prompt: spec.approval.prompt,
      approvers: spec.approval.approvers ?? [],
      onTimeout: spec.approval.on_timeout ?? 'reject',
    };
  }
  if (spec.event) {
    return {
      ...base,
      kind: 'event',
      until: after(ms(spec.event.timeout)),
      eventName: spec.event.name,
      match: spec.event.match ?? null,
      lookbackMs: ms(spec.event.lookback) ?? 0,
      onTimeout: spec.event.on_timeout ?? 'fail',
    };
  }
  if (spec.sleep !== undefined) return { ...base, kind: 'time', until: after(ms(spec.sleep)) };
  return { ...base, kind: 'time', until: parseUntil(spec.until ?? '') ?? now };
}

/**
 * What the agent is resumed with from its ended wait: the decision, the event or `{woke_at}`. A
 * cancelled wait cancels the run; a timeout with `on_timeout: "fail"` fails it (`timeout`).
 */
export function agentWaitResult(wait: WaitRow): unknown {
  if (wait.resolution === 'cancelled')
    throw new RunFailure('cancelled', 'the wait was cancelled', { retryable: false });
  if (wait.resolution === 'timeout' && wait.result === null) {
    throw new RunFailure('timeout', `the agent's wait timed out at ${wait.resolved_at?.toISOString()}`, {
      retryable: false,
      details: { until: wait.until?.toISOString() ?? null, on_timeout: 'fail' },
    });
  }
  return wait.result;
}
