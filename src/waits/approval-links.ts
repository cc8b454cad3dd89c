import type { Clock } from '../clock.ts';
import { KairosError } from '../errors.ts';
import { approvalLinkSecret } from '../store/approval-link-secret.ts';
import { findApprovalContext, type ApprovalContextRow } from '../store/approvals.ts';
import type { Database } from '../store/database.ts';
import { resolveWait, wakeRuns } from '../store/waits.ts';
import { decisionResult, defaultApprovalTimeoutMs } from '../runs/approval-wait.ts';
import { signApprovalToken, verifyApprovalToken } from './approval-token.ts';

/** Where signed approval links live: `GET` shows the approval, `POST` decides it. */
export const approvalLinkPath = (token: string) => `/approvals/${token}`;

/** An approval as its signed link shows it. */
export interface ApprovalLinkView {
  run_id: string;
  node: string;
  prompt: string | null;
  since: string;
  until: string | null;
  status: 'pending' | 'decided';
  decision: unknown;
  run_status: string;
  workflow: { id: string; name: string | null } | null;
  schedule: { id: string | null; name: string } | null;
  assistant: { id: string; name: string | null } | null;
}

const finalStatuses: ReadonlySet<string> = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

// Stable codes, and nothing about the run: whoever holds a bad token learns only that it is bad.
const linkNotFound = () =>
  new KairosError('approval_link_not_found', 'this approval link is not valid: ask for a new one', { status: 404 });
const linkExpired = () =>
  new KairosError('approval_link_expired', 'this approval link has expired: the approval is closed', { status: 410 });

/**
 * Signed one-time approval links (docs/waits.md): an HMAC token naming a run and its approval
 * wait, valid until the wait's timeout, that lets whoever holds it see and decide that one
 * approval without an API key. The secret is `KAIROS_APPROVAL_SECRET` or one generated once and
 * kept in the database (`settings`), so every replica signs and checks alike.
 *
 * @example
 * const links = new ApprovalLinks({ db, clock, publicUrl: 'https://kairos.example.com' });
 * const url = await links.urlFor(wait); // https://kairos.example.com/approvals/eyJy…
 */
export class ApprovalLinks {
  private secretPromise: Promise<string> | undefined;

  constructor(
    private readonly deps: {
      db: Database;
      clock: Pick<Clock, 'now'>;
      /** KAIROS_APPROVAL_SECRET; none: one generated once and stored in `settings`. */
      secret?: string | undefined;
      /** KAIROS_PUBLIC_URL: links are absolute with it, paths without. */
      publicUrl?: string | undefined;
    },
  ) {}

  private secret(): Promise<string> {
    this.secretPromise ??= this.deps.secret
      ? Promise.resolve(this.deps.secret)
      : approvalLinkSecret(this.deps.db).catch((error: unknown) => {
          this.secretPromise = undefined;
          throw error;
        });
    return this.secretPromise;
  }

  /** The token of an approval wait; it expires with the wait (its `until`, else 7 days after `since`). */
  async tokenFor(wait: { run_id: string; node_key: string; since: Date; until: Date | null }): Promise<string> {
    const expiresAt = (wait.until ?? new Date(wait.since.getTime() + defaultApprovalTimeoutMs)).getTime();
    return signApprovalToken(await this.secret(), { runId: wait.run_id, nodeKey: wait.node_key, expiresAt });
  }

  /** The link of an approval wait: absolute with KAIROS_PUBLIC_URL, a path otherwise. */
  async urlFor(wait: { run_id: string; node_key: string; since: Date; until: Date | null }): Promise<string> {
    return `${this.deps.publicUrl ?? ''}${approvalLinkPath(await this.tokenFor(wait))}`;
  }

  /** What the link shows. 404 `approval_link_not_found` (tampered, unknown), 410 `approval_link_expired`. */
  async show(token: string): Promise<ApprovalLinkView> {
    const { db } = this.deps;
    const claims = await this.claims(token);
    const row = await findApprovalContext(db, claims);
    if (!row) throw linkNotFound();
    return toView(row);
  }

  /**
   * Decides the approval the link names, once: 409 `already_decided` when a decision (by link,
   * API or a timeout) came first, 409 `not_waiting` when the run no longer waits for it
   * (cancelled). The decision is `by: null` (no user: the link's holder).
   */
  async decide(
    token: string,
    body: { approved: boolean; comment?: string | null | undefined },
  ): Promise<ApprovalLinkView> {
    const { db, clock } = this.deps;
    const claims = await this.claims(token);
    await db.transaction(async (tx) => {
      const wait = await findApprovalContext(tx, claims, { lock: true });
      if (!wait) throw linkNotFound();
      if (wait.resolution === 'decided' || wait.resolution === 'timeout') {
        throw new KairosError('already_decided', 'this approval was already decided', { status: 409 });
      }
      if (wait.resolution !== null || finalStatuses.has(wait.run_status)) {
        throw new KairosError('not_waiting', 'this run no longer waits for this approval', { status: 409 });
      }
      const now = new Date(clock.now());
      const result = {
        ...decisionResult({ approved: body.approved, comment: body.comment ?? null }, '', now),
        by: null,
      };
      const resolved = await resolveWait(tx, claims, { resolution: 'decided', at: now, result });
      await wakeRuns(tx, db, [resolved!], now);
    });
    return this.show(token);
  }

  private async claims(token: string): Promise<{ runId: string; nodeKey: string }> {
    const claims = verifyApprovalToken(await this.secret(), token);
    if (!claims) throw linkNotFound();
    if (claims.expiresAt <= this.deps.clock.now()) throw linkExpired();
    return { runId: claims.runId, nodeKey: claims.nodeKey };
  }
}

function toView(row: ApprovalContextRow): ApprovalLinkView {
  return {
    run_id: row.run_id,
    node: row.node_name,
    prompt: row.prompt,
    since: row.since.toISOString(),
    until: row.until?.toISOString() ?? null,
    status: row.resolved_at === null ? 'pending' : 'decided',
    decision: row.result ?? null,
    run_status: row.run_status,
    workflow: row.workflow_id ? { id: row.workflow_id, name: row.workflow_name } : null,
    schedule: row.schedule_name ? { id: row.schedule_id, name: row.schedule_name } : null,
    assistant: row.assistant_id ? { id: row.assistant_id, name: row.assistant_name } : null,
  };
}
