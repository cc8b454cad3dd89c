import { z } from '@hono/zod-openapi';
import type { User as StoredUser } from '../../store/users.ts';
import { userRoles } from '../../auth/actor.ts';
import { BudgetView, Id, PageQuery, Timestamp, iso, isoOrNull, pageOf } from './common.ts';
import { budgetSchema } from '../../runs/budget.ts';

export const UserRole = z.enum(userRoles).openapi('UserRole');

const UserName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.@+-]+$/, 'use letters, digits and . _ @ + -')
  .openapi({ example: 'alice' });

export const User = z
  .object({
    id: Id,
    name: z.string(),
    role: UserRole,
    disabled: z.boolean(),
    disabled_at: Timestamp.nullable(),
    budget: BudgetView.nullable().openapi({
      description: 'Spending limits on the user\'s runs, set by an admin (docs/gates.md "Budgets")',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('User');

export const UserCreate = z.strictObject({ name: UserName, role: UserRole.default('member') }).openapi('UserCreate');

export const UserUpdate = z
  .strictObject({
    name: UserName.optional(),
    role: UserRole.optional(),
    disabled: z.boolean().optional(),
    /** Admins only; null removes it. */
    budget: budgetSchema.nullable().optional(),
  })
  .openapi('UserUpdate');

export const UserListQuery = PageQuery;

export const UserList = pageOf(User, 'UserList');

export type User = z.infer<typeof User>;
export type UserCreate = z.input<typeof UserCreate>;
export type UserUpdate = z.input<typeof UserUpdate>;
export type UserList = z.infer<typeof UserList>;

export function toUserBody(user: StoredUser): User {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    disabled: user.disabledAt !== null,
    disabled_at: isoOrNull(user.disabledAt),
    budget: user.budget ?? null,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
  };
}
