import { KairosError } from '../errors.ts';

import type { UserRole } from '../store/users.ts';

export { userRoles, type UserRole } from '../store/users.ts';

/** Who is calling: every service takes one and scopes what it reads and writes by it. */
export interface Actor {
  userId: string;
  role: UserRole;
}

/** The user local mode acts as (created by the first migration); also the owner of built-ins. */
export const localAdminId = '00000000-0000-0000-0000-000000000001';

export const localAdmin: Actor = Object.freeze({ userId: localAdminId, role: 'admin' });

export const forbidden = (message: string) => new KairosError('forbidden', message, { status: 403 });

/** Throws 403 unless the actor is an admin. */
export function assertAdmin(actor: Actor, action: string): void {
  if (actor.role !== 'admin') throw forbidden(`only admins may ${action} (you are ${actor.role})`);
}

/** Throws 403 for viewers, who only read. */
export function assertCanWrite(actor: Actor, action: string): void {
  if (actor.role === 'viewer') throw forbidden(`viewers cannot ${action}; ask an admin for a member key`);
}

/** Whether the actor may see a resource owned by `ownerId` (admins see everything). */
export function canSee(actor: Actor, ownerId: string): boolean {
  return actor.role === 'admin' || actor.userId === ownerId;
}
