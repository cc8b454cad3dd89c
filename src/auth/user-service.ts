import { KairosError, notFound } from '../errors.ts';
import type { Database } from '../store/database.ts';
import {
  countOtherActiveAdmins,
  lockAdmins,
  findUser,
  insertUser,
  listUsers,
  updateUser,
  type User,
  type UserChanges,
} from '../store/users.ts';
import { assertAdmin, localAdminId, type Actor, type UserRole } from './actor.ts';
import { isUniqueViolation } from './unique-violation.ts';
import { parseInput } from '../parse-input.ts';
import { budgetSchema } from '../runs/budget.ts';

const nameTaken = (name: string) =>
  new KairosError('name_taken', `a user named "${name}" already exists; choose another name`, {
    status: 409,
    details: { field: 'name', value: name },
  });

/**
 * Users and their roles. Only admins manage users; anyone may read their own record.
 *
 * @example
 * const users = new UserService(db);
 * const alice = await users.create(admin, { name: 'alice', role: 'member' });
 */
export class UserService {
  constructor(private readonly db: Database) {}

  async create(actor: Actor, input: { name: string; role: UserRole }): Promise<User> {
    assertAdmin(actor, 'create users');
    try {
      return await insertUser(this.db, input);
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(input.name);
      throw error;
    }
  }

  async list(actor: Actor, page: { limit: number; offset: number }): Promise<{ users: User[]; total: number }> {
    assertAdmin(actor, 'list users');
    return listUsers(this.db, page);
  }

  /** The caller's own user record (any role). */
  async me(actor: Actor): Promise<User> {
    const user = await findUser(this.db, actor.userId);
    if (!user) throw notFound('user', actor.userId);
    return user;
  }

  async get(actor: Actor, id: string): Promise<User> {
    if (id !== actor.userId) assertAdmin(actor, 'read other users');
    const user = await findUser(this.db, id);
    if (!user) throw notFound('user', id);
    return user;
  }

  /**
   * Renames, changes the role of, disables or re-enables a user. Refuses (409) to change the
   * built-in local admin's role or state, and to demote or disable the last enabled admin.
   */
  async update(actor: Actor, id: string, changes: UserChanges): Promise<User> {
    assertAdmin(actor, 'change users');
    // A budget (docs/gates.md "Budgets") is validated here too: the CLI and SDK bodies pass through.
    if (changes.budget) changes = { ...changes, budget: parseInput(budgetSchema, changes.budget) };
    return this.db.transaction(async (tx) => {
      const user = await findUser(tx, id);
      if (!user) throw notFound('user', id);
      const demotes = changes.role !== undefined && changes.role !== 'admin';
      const disables = changes.disabled === true;
      if (id === localAdminId && (demotes || disables)) {
        throw new KairosError('built_in_user', 'the built-in local admin cannot be demoted or disabled', {
          status: 409,
        });
      }
      if (user.role === 'admin' && user.disabledAt === null && (demotes || disables)) {
        await lockAdmins(tx);
        if ((await countOtherActiveAdmins(tx, [id, localAdminId])) === 0) {
          throw new KairosError('last_admin', `${user.name} is the last enabled admin; make another user admin first`, {
            status: 409,
          });
        }
      }
      try {
        return (await updateUser(tx, id, changes))!;
      } catch (error) {
        if (isUniqueViolation(error) && changes.name !== undefined) throw nameTaken(changes.name);
        throw error;
      }
    });
  }
}
