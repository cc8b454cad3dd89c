import type { UserRole } from '../store/users.ts';

/** Who decides (the calling actor, as src/auth describes it). */
interface Decider {
  userId: string;
  role: UserRole;
}
import type { OnTimeout } from '../store/waits.ts';

/** An approval without `timeout` waits 7 days, then `on_timeout` (default `reject`). */
export const defaultApprovalTimeoutMs = 7 * 86_400_000;

/** What an approval node receives: the decision (or the timeout's). */
export interface Decision {
  approved: boolean;
  comment: string | null;
  by: string | null;
  data: unknown;
  decided_at: string;
  timed_out: boolean;
}

/** A person's decision. */
export function decisionResult(
  decision: { approved: boolean; comment?: string | null | undefined; data?: unknown },
  by: string,
  at: Date,
): Decision {
  return {
    approved: decision.approved,
    comment: decision.comment ?? null,
    by,
    data: decision.data ?? null,
    decided_at: at.toISOString(),
    timed_out: false,
  };
}

/** A timed-out approval: `reject` and `approve` decide for nobody; `fail` has no decision (the node fails). */
export function approvalTimeoutResult(onTimeout: OnTimeout | null, at: Date): Decision | null {
  if (onTimeout === 'fail') return null;
  return {
    approved: onTimeout === 'approve',
    comment: null,
    by: null,
    data: null,
    decided_at: at.toISOString(),
    timed_out: true,
  };
}

/**
 * Whether `actor` may decide an approval of a run owned by `ownerId`: an admin, the owner, or a
 * user the approvers name by id or by role (`role:admin`, `role:member`).
 */
export function mayDecide(actor: Decider, ownerId: string, approvers: readonly string[]): boolean {
  return (
    actor.role === 'admin' ||
    actor.userId === ownerId ||
    approvers.includes(actor.userId) ||
    approvers.includes(`role:${actor.role}`)
  );
}

/** Approvers as written: user ids, `role:admin` or `role:member`. */
export const approverRoles = ['role:admin', 'role:member'] as const;
