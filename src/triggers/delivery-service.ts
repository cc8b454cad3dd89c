import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AssistantService } from '../agents/assistant-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { KairosError } from '../errors.ts';
import type { Database, Queryable } from '../store/database.ts';
import type { DebounceRow } from '../store/trigger-debounces.ts';
import { createRuns } from '../runs/create-runs.ts';
import { runConcurrency } from '../runs/flow-control.ts';
import { resolveRetry } from '../runs/run-policy.ts';
import { findAcceptedDelivery, insertDelivery, type DeliveryOutcome } from '../store/trigger-deliveries.ts';
import { findTrigger, takeRateSlot, type TriggerRow } from '../store/triggers.ts';
import { findUser } from '../store/users.ts';
import type { RunResource } from '../runs/run-resource.ts';
import type { RunService } from '../worker/run-service.ts';
import type { WorkflowService } from '../workflows/workflow-service.ts';
import { deliveryKeyOf, parseEventBody } from './event-body.ts';
import { unstorableRequestReason } from './event-request.ts';
import { renderEventTemplate, templateHeaders, type EventTemplateContext } from './event-template.ts';
import { debounceKeyOf } from './debounce-config.ts';
import { holdDebouncedDelivery } from './debounce-hold.ts';
import { triggerAuthSchema, verifyDelivery } from './trigger-auth.ts';
import { finalStatuses } from '../runs/run-status.ts';

/** One request to `POST /hooks/{id}`, as the route read it. */
export interface IncomingDelivery {
  triggerId: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
  /** The raw body exactly as received; null when it exceeded the cap (and was not read). */
  body: Buffer | null;
  /** Bytes received (or announced by Content-Length, when over the cap). */
  bodyBytes: number;
  /** `?wait=` as sent: seconds (up to 300) to wait for the run to finish before answering. */
  wait?: string | undefined;
  signal?: AbortSignal;
}

/** What the route answers: a status, a JSON body and extra headers (Retry-After). */
export interface DeliveryAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface DeliveryServiceOptions {
  db: Database;
  clock: Clock;
  assistants: Pick<AssistantService, 'assertRunnable'>;
  /** Checks a workflow target on each delivery (still visible to the owner, still active). */
  workflows: Pick<WorkflowService, 'runnable'>;
  runs: Pick<RunService, 'get' | 'wait'>;
  /** Where `{"env": NAME}` secrets are read (the process environment). */
  env: Readonly<Record<string, string | undefined>>;
  maxBodyBytes: number;
  /** An event run that cannot start within this long fails with `capacity`. */
  startDeadlineMs: number;
}

const error = (code: string, message: string, details?: Record<string, unknown>) => ({
  error: details ? { code, message, details } : { code, message },
});

/** `?wait=` in milliseconds (0 when absent), or undefined when it is not 0–300 seconds. */
function waitOf(wait: string | undefined): number | undefined {
  if (wait === undefined || wait === '') return 0;
  if (!/^\d+(\.\d+)?$/.test(wait) || Number(wait) > 300) return undefined;
  return Math.round(Number(wait) * 1000);
}

/** Thrown inside the accepting transaction when a concurrent twin with the same delivery id won. */
class ReplayRace extends Error {}

/** Thrown inside the accepting transaction when the rate limit refuses (everything is rolled back). */
class RateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super('rate limited');
  }
}

/**
 * Receives deliveries to trigger URLs and turns the accepted ones into runs (`trigger: "event"`)
 * on the run engine. In order: unknown or disabled trigger (404), body over the cap (413),
 * signature or token (401), a delivery id seen before (200, the first delivery's run), the
 * target still runnable by the owner (409), then the run (202) and the rate limit in one
 * transaction (429 with Retry-After rolls the run back). A debounced trigger holds the delivery
 * instead (202 `{"debounced": true}`): one run per burst of a key starts later (debounce-timers.ts).
 * Every delivery to an existing trigger is recorded with its outcome and reason; nothing else is
 * created for a refused one.
 */
export class DeliveryService {
  constructor(private readonly options: DeliveryServiceOptions) {}

  async receive(delivery: IncomingDelivery): Promise<DeliveryAnswer> {
    const { db, clock } = this.options;
    const trigger = z.uuid().safeParse(delivery.triggerId).success
      ? await findTrigger(db, delivery.triggerId)
      : undefined;
    const missing = error('not_found', `no trigger ${delivery.triggerId} (or it is disabled)`);
    if (!trigger) return { status: 404, body: missing };
    const receivedAt = new Date(clock.now());
    const record = async (
      outcome: DeliveryOutcome,
      status: number,
      reason: string | null,
      extra: { key?: string; runId?: string } = {},
    ) =>
      (await insertDelivery(db, {
        trigger_id: trigger.id,
        received_at: receivedAt,
        outcome,
        http_status: status,
        reason,
        delivery_key: extra.key ?? null,
        run_id: extra.runId ?? null,
        body_bytes: delivery.bodyBytes,
      }))!;
    const refuse = async (
      outcome: DeliveryOutcome,
      status: number,
      code: string,
      reason: string,
      headers?: Record<string, string>,
    ) => {
      const row = await record(outcome, status, reason);
      return { status, body: { ...error(code, reason), delivery_id: row.id }, ...(headers && { headers }) };
    };

    if (!trigger.enabled) {
      await record('disabled', 404, 'the trigger is disabled');
      return { status: 404, body: missing };
    }
    if (delivery.body === null) {
      return refuse(
        'too_large',
        413,
        'body_too_large',
        `the body (${delivery.bodyBytes} bytes) exceeds ${this.options.maxBodyBytes} bytes (KAIROS_MAX_BODY_BYTES)`,
      );
    }
    const unstorable = unstorableRequestReason(delivery.headers, delivery.query);
    if (unstorable) return refuse('invalid', 400, 'invalid_delivery', unstorable);
    const auth = triggerAuthSchema.parse(trigger.auth);
    const verdict = verifyDelivery(
      auth,
      { headers: delivery.headers, body: delivery.body, nowMs: receivedAt.getTime() },
      this.options.env,
    );
    if (!verdict.ok) {
      if ('misconfigured' in verdict) {
        // The reason (a variable's name) is for the owner, in the delivery history; the sender learns nothing of it.
        const row = await record('misconfigured', 503, verdict.reason);
        return {
          status: 503,
          body: {
            ...error('trigger_unavailable', 'this trigger cannot accept deliveries now; try again later'),
            delivery_id: row.id,
          },
        };
      }
      return refuse('unauthorized', 401, 'unauthorized', verdict.reason);
    }
    const key = deliveryKeyOf(delivery.headers, trigger.delivery_header);
    if (key) {
      const first = await findAcceptedDelivery(db, trigger.id, key);
      if (first) return this.replayed(trigger, key, first.id, first.run_id, record);
    }
    const waitMs = waitOf(delivery.wait);
    if (waitMs === undefined)
      return refuse('invalid', 422, 'invalid_request', 'wait: must be seconds from 0 to 300, e.g. ?wait=30');
    const parsed = parseEventBody(delivery.body, delivery.headers['content-type']);
    if (!parsed.ok) return refuse('invalid', 400, 'invalid_json', parsed.reason);

    let owner: Actor;
    try {
      owner = await this.runnableAs(trigger);
    } catch (problem) {
      if (!(problem instanceof KairosError)) throw problem;
      return refuse('unavailable', 409, 'trigger_unavailable', problem.message);
    }
    const context: EventTemplateContext = {
      event: {
        body: parsed.value,
        headers: templateHeaders(delivery.headers),
        query: delivery.query,
        received_at: receivedAt.toISOString(),
      },
      trigger: { id: trigger.id, name: trigger.name },
    };
    const input = renderEventTemplate(trigger.input_template ?? '{{event.body}}', context);
    const runId = randomUUID();
    const deliveryId = randomUUID();
    let held: DebounceRow | undefined;
    try {
      await db.transaction(async (tx) => {
        if (trigger.debounce_ms !== null) {
          // Debounced: recorded and held; the run starts when the key's period has passed (debounce-timers.ts).
          held = await holdDebouncedDelivery(db, tx, {
            id: deliveryId,
            triggerId: trigger.id,
            periodMs: trigger.debounce_ms,
            debounceKey: debounceKeyOf(trigger.debounce_key, context),
            receivedAt,
            input,
            deliveryKey: key ?? null,
            bodyBytes: delivery.bodyBytes,
          });
          if (!held) throw new ReplayRace();
        } else
          await this.acceptRun(tx, trigger, owner, {
            runId,
            deliveryId,
            key,
            receivedAt,
            input,
            delivery,
            event: context.event,
          });
        // Taken last, in the same transaction: a replayed twin or a refused delivery does not use up the limit.
        const slot = await takeRateSlot(tx, trigger.id, receivedAt);
        if (!slot.allowed) throw new RateLimited(slot.retryAfterMs);
      });
    } catch (problem) {
      if (problem instanceof RateLimited) {
        const seconds = Math.max(1, Math.ceil(problem.retryAfterMs / 1000));
        const reason = `the trigger accepts at most ${trigger.rate_limit_max} deliveries per ${trigger.rate_limit_ms! / 1000} s; retry in ${seconds} s`;
        return refuse('rate_limited', 429, 'rate_limited', reason, { 'retry-after': String(seconds) });
      }
      if (!(problem instanceof ReplayRace) || !key) throw problem;
      const first = await findAcceptedDelivery(db, trigger.id, key);
      return this.replayed(trigger, key, first?.id ?? null, first?.run_id ?? null, record);
    }

    if (held) {
      // No run yet: `?wait=` does not apply; the delivery history shows the run once it starts.
      return {
        status: 202,
        body: {
          delivery_id: deliveryId,
          debounced: true,
          run_id: null,
          replayed: false,
          run: null,
          debounce: { key: held.debounce_key, due_at: held.due_at.toISOString(), deliveries: held.deliveries },
        },
      };
    }
    let run = await this.options.runs.get(owner, runId);
    if (waitMs > 0) {
      run = await this.options.runs.wait(owner, runId, {
        timeoutMs: waitMs,
        ...(delivery.signal && { signal: delivery.signal }),
      });
    }
    const done = finalStatuses.has(run.status);
    return {
      status: done && waitMs > 0 ? 200 : 202,
      body: { delivery_id: deliveryId, run_id: runId, replayed: false, run },
    };
  }

  /** Creates the delivery's run and records the delivery `accepted`, in the caller's transaction. */
  private async acceptRun(
    tx: Queryable,
    trigger: TriggerRow,
    owner: Actor,
    accepted: {
      runId: string;
      deliveryId: string;
      key: string | undefined;
      receivedAt: Date;
      input: unknown;
      delivery: IncomingDelivery;
      /** The delivery as templates read it (`{{event.…}}`): the concurrency key renders over it. */
      event: EventTemplateContext['event'];
    },
  ): Promise<void> {
    const { runId, deliveryId, key, receivedAt, input, event } = accepted;
    await createRuns(
      this.options.db,
      [
        {
          id: runId,
          trigger_id: trigger.id,
          assistant_id: trigger.assistant_id,
          workflow_id: trigger.workflow_id,
          owner_id: owner.userId,
          trigger: 'event',
          not_before: receivedAt,
          start_deadline: new Date(receivedAt.getTime() + this.options.startDeadlineMs),
          input,
          metadata: { trigger_id: trigger.id, delivery_id: deliveryId, ...(key && { delivery_key: key }) },
          // One attempt: the sender retries a delivery itself.
          policy: { ...resolveRetry(undefined), timeout_ms: trigger.timeout_ms },
          priority: trigger.priority ?? 3,
          // The trigger's key over the delivery and the input; without one, a workflow run takes its workflow's.
          ...(trigger.concurrency && {
            concurrency: runConcurrency(trigger.concurrency, `trigger:${trigger.id}`, { input, event }),
          }),
          created_at: receivedAt,
        },
      ],
      tx,
    );
    const row = await insertDelivery(tx, {
      id: deliveryId,
      trigger_id: trigger.id,
      received_at: receivedAt,
      outcome: 'accepted',
      http_status: 202,
      reason: null,
      delivery_key: key ?? null,
      run_id: runId,
      body_bytes: accepted.delivery.bodyBytes,
    });
    if (!row) throw new ReplayRace();
  }

  /** A delivery id seen before: recorded as `replayed`, answered with the first delivery's run. */
  private async replayed(
    trigger: TriggerRow,
    key: string,
    firstId: string | null,
    runId: string | null,
    record: (
      outcome: DeliveryOutcome,
      status: number,
      reason: string | null,
      extra?: { key?: string; runId?: string },
    ) => Promise<{ id: string }>,
  ): Promise<DeliveryAnswer> {
    const row = await record(
      'replayed',
      200,
      `delivery id ${key} was accepted before (delivery ${firstId ?? 'unknown'})`,
      {
        key,
        ...(runId && { runId }),
      },
    );
    let run: RunResource | null = null;
    if (runId) {
      const owner: Actor = { userId: trigger.owner_id, role: 'member' };
      run = await this.options.runs.get(owner, runId).catch(() => null);
    }
    return {
      status: 200,
      body: { delivery_id: row.id, first_delivery_id: firstId, run_id: runId, replayed: true, run },
    };
  }

  /** The owner as an actor, checked: still exists, enabled, and may run the target now. */
  private async runnableAs(trigger: TriggerRow): Promise<Actor> {
    const user = await findUser(this.options.db, trigger.owner_id);
    if (!user || user.disabledAt)
      throw new KairosError('owner_unavailable', "the trigger's owner no longer exists or is disabled");
    const actor: Actor = { userId: user.id, role: user.role };
    if (trigger.target_kind === 'workflow') await this.options.workflows.runnable(actor, trigger.workflow_id!);
    else await this.options.assistants.assertRunnable(actor, trigger.assistant_id!);
    return actor;
  }
}
