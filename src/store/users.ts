import type { Queryable } from './database.ts';
import type { StoredBudget } from './budgets.ts';

/** What a user may do: admins everything, members their own resources, viewers read. */
export const userRoles = ['admin', 'member', 'viewer'] as const;
export type UserRole = (typeof userRoles)[number];

export interface User {
  id: string;
  name: string;
  role: UserRole;
  disabledAt: Date | null;
  /** Token and dollar limits on the user's runs, set by an admin (docs/gates.md "Budgets"); null: none. */
  budget: StoredBudget | null;
  createdAt: Date;
  updatedAt: Date;
}

interface UserRow {
  id: string;
  name: string;
  role: UserRole;
  disabled_at: Date | null;
  budget?: StoredBudget | null;
  created_at: Date;
  updated_at: Date;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  role: row.role,
  disabledAt: row.disabled_at,
  budget: row.budget ?? null,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function insertUser(db: Queryable, input: { name: string; role: UserRole }): Promise<User> {
  const { rows } = await db.query<UserRow>('INSERT INTO users (name, role) VALUES ($1, $2) RETURNING *', [
    input.name,
    input.role,
  ]);
  return toUser(rows[0]!);
}

export async function findUser(db: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0] && toUser(rows[0]);
}

export async function findUserByName(db: Queryable, name: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE name = $1', [name]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(
  db: Queryable,
  page: { limit: number; offset: number },
): Promise<{ users: User[]; total: number }> {
  const { rows } = await db.query<UserRow & { total: number }>(
    'SELECT *, count(*) OVER ()::int AS total FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2',
    [page.limit, page.offset],
  );
  const total = rows[0]?.total ?? (await countUsers(db));
  return { users: rows.map(toUser), total };
}

async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}

export interface UserChanges {
  name?: string;
  role?: UserRole;
  /** true disables (keeps the first disabling time), false re-enables. */
  disabled?: boolean;
  /** A budget (validated by the service), or null to remove it; absent: unchanged. */
  budget?: StoredBudget | null;
}

export async function updateUser(db: Queryable, id: string, changes: UserChanges): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET
       name = COALESCE($2, name),
       role = COALESCE($3, role),
       disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at
                          WHEN $4::boolean THEN COALESCE(disabled_at, now())
                          ELSE NULL END,
       budget = CASE WHEN $5::boolean THEN $6::jsonb ELSE budget END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      changes.name ?? null,
      changes.role ?? null,
      changes.disabled ?? null,
      changes.budget !== undefined,
      changes.budget ? JSON.stringify(changes.budget) : null,
    ],
  );
  return rows[0] && toUser(rows[0]);
}

/** Enabled admins other than `exceptIds`: the guard against locking every admin out. */
export async function countOtherActiveAdmins(db: Queryable, exceptIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND NOT (id = ANY($1::uuid[]))",
    [exceptIds],
  );
  return rows[0]!.n;
}

/** A user's role and whether the user is disabled (what a run's permission check needs). */
export async function findUserStanding(
  db: Queryable,
  id: string,
): Promise<{ role: UserRole; disabled: boolean } | undefined> {
  const { rows } = await db.query<{ role: UserRole; disabled: boolean }>(
    'SELECT role, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** Locks the admins' rows until the transaction ends: changes that may remove the last admin take turns. */
export async function lockAdmins(tx: Queryable): Promise<void> {
  await tx.query("SELECT id FROM users WHERE role = 'admin' FOR UPDATE");
}
