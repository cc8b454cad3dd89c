import { assertCanWrite, canSee, forbidden, type Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { KairosError, notFound } from '../errors.ts';
import { listApprovals } from '../store/approvals.ts';
import type { Database } from '../store/database.ts';
import { insertEvent, lockEventName, lockOpenEventWaits } from '../store/events.ts';
import { findRun, type RunRow } from '../store/runs.ts';
import { lockLatestApproval, resolveWait, wakeRuns, type WaitRow } from '../store/waits.ts';
import { decisionResult, mayDecide } from '../runs/approval-wait.ts';
import { eventMatches, eventResult } from '../runs/event-wait.ts';

/** An approval as the inbox lists it (GET /api/v1/approvals). */
export interface ApprovalResource {
  run_id: string;
  node: string;
  /** The prompt, rendered when the wait began. */
  prompt: string | null;
  since: string;
  until: string | null;
  workflow_id: string | null;
  assistant_id: string | null;
  schedule_id: string | null;
  approvers: string[];
  status: 'pending' | 'decided';
  /** The decision (or the timeout's); null while pending. */
  decision: unknown;
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const finalStatuses: ReadonlySet<string> = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

const notWaiting = (runId: string) =>
  new KairosError('not_waiting', `run ${runId} is not waiting for an approval (it has none open, or was cancelled)`, {
    status: 409,
    details: { run_id: runId },
  });

/**
 * Decisions, events and the approvals inbox: what the API, CLI and tools call. A decision or an
 * event resolves a `waits` row under its row lock (exactly one of a decision, an event and a
 * timeout wins) and sends the run back to `pending` in the same transaction.
 *
 * @example
 * const waits = new WaitService({ db, clock });
 * await waits.decide(actor, runId, { approved: true, comment: 'ship it' });
 */
export class WaitService {
  constructor(private readonly deps: { db: Database; clock: Pick<Clock, 'now'> }) {}

  /**
   * Decides a run's open approval. 404: no such run (or neither yours nor one you may approve);
   * 403: you are not its owner, an approver or an admin; 409 `already_decided` (a decision or a
   * timeout came first), 409 `not_waiting` (no approval wait, or the run was cancelled).
   */
  async decide(
    actor: Actor,
    runId: string,
    body: { approved: boolean; comment?: string | null | undefined; data?: unknown },
  ): Promise<RunRow> {
    const { db, clock } = this.deps;
    if (!uuidShape.test(runId)) throw notFound('run', runId);
    await db.transaction(async (tx) => {
      const wait = await lockLatestApproval(tx, runId);
      if (!wait) {
        const run = await findRun(tx, runId);
        if (!run || !canSee(actor, run.owner_id)) throw notFound('run', runId);
        throw notWaiting(runId);
      }
      if (!mayDecide(actor, wait.owner_id, wait.approvers)) {
        throw forbidden(
          `you may not decide run ${runId}: only its owner, an admin or an approver it names (${wait.approvers.join(', ') || 'none'}) may`,
        );
      }
      if (wait.resolution === 'decided' || wait.resolution === 'timeout') {
        throw new KairosError(
          'already_decided',
          `the approval "${wait.node_name}" of run ${runId} was already ${wait.resolution === 'timeout' ? 'decided by its timeout' : 'decided'}`,
          { status: 409, details: { run_id: runId, node: wait.node_name, decision: wait.result } },
        );
      }
      if (wait.resolution !== null || finalStatuses.has(wait.run_status)) throw notWaiting(runId);
      const now = new Date(clock.now());
      const resolved = await resolveWait(
        tx,
        { runId, nodeKey: wait.node_key },
        { resolution: 'decided', at: now, result: decisionResult(body, actor.userId, now), decidedBy: actor.userId },
      );
      await wakeRuns(tx, db, [resolved!], now);
    });
    return (await findRun(db, runId))!;
  }

  /**
   * Records an event (kept for lookback) and resolves every open event wait of its name that the
   * sender may wake (their own runs; every run for an admin) and whose `match` accepts it.
   * Returns the runs it woke.
   */
  async sendEvent(
    actor: Actor,
    body: { name: string; payload?: unknown; key?: string | null | undefined },
  ): Promise<{ event_id: string; matched: string[] }> {
    assertCanWrite(actor, 'send events');
    const { db, clock } = this.deps;
    return db.transaction(async (tx) => {
      await lockEventName(tx, db.schema, body.name);
      const now = new Date(clock.now());
      const event = await insertEvent(tx, {
        name: body.name,
        key: body.key ?? null,
        payload: body.payload ?? null,
        senderId: actor.userId,
        receivedAt: now,
      });
      const resolved: WaitRow[] = [];
      for (const wait of await lockOpenEventWaits(tx, body.name, { id: actor.userId, admin: actor.role === 'admin' })) {
        if (!eventMatches(wait.match, event, wait.input)) continue;
        const row = await resolveWait(
          tx,
          { runId: wait.run_id, nodeKey: wait.node_key },
          { resolution: 'event', at: now, result: eventResult(event), eventId: event.id },
        );
        if (row) resolved.push(row);
      }
      await wakeRuns(tx, db, resolved, now);
      return { event_id: event.id, matched: [...new Set(resolved.map((w) => w.run_id))] };
    });
  }

  /** What the caller may decide, oldest first. */
  async approvals(
    actor: Actor,
    query: { status: 'pending' | 'decided'; limit: number; offset: number },
  ): Promise<{ items: ApprovalResource[]; total: number }> {
    const { rows, total } = await listApprovals(this.deps.db, { userId: actor.userId, role: actor.role, ...query });
    const items = rows.map((row): ApprovalResource => ({
      run_id: row.run_id,
      node: row.node_name,
      prompt: row.prompt,
      since: row.since.toISOString(),
      until: row.until?.toISOString() ?? null,
      workflow_id: row.workflow_id,
      assistant_id: row.assistant_id,
      schedule_id: row.schedule_id,
      approvers: row.approvers,
      status: row.resolved_at === null ? 'pending' : 'decided',
      decision: row.result ?? null,
    }));
    return { items, total };
  }
}
