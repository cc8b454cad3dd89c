import { KairosError, notFound } from '../errors.ts';
import { findApiKey, insertApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../store/api-keys.ts';
import type { Database, Queryable } from '../store/database.ts';
import { findUser, findUserByName, insertUser, type User } from '../store/users.ts';
import { assertAdmin, assertCanWrite, canSee, type Actor, type UserRole } from './actor.ts';
import { generateApiKey } from './key-format.ts';

/** A freshly created key: `key` is the only time the secret is ever available. */
export interface IssuedKey {
  key: string;
  apiKey: ApiKey;
}

async function issue(db: Queryable, userId: string, name: string | null): Promise<IssuedKey> {
  const generated = generateApiKey();
  const apiKey = await insertApiKey(db, { userId, name, prefix: generated.prefix, hash: generated.hash });
  return { key: generated.key, apiKey };
}

/**
 * API keys: created for oneself (members, admins) or for another user (admins), listed without
 * their secret, revoked. Another user's key answers 404 to non-admins.
 *
 * @example
 * const { key } = await keys.create(actor, { name: 'ci' }); // show `key` once
 */
export class KeyService {
  constructor(private readonly db: Database) {}

  async create(actor: Actor, input: { userId?: string | undefined; name?: string | undefined }): Promise<IssuedKey> {
    assertCanWrite(actor, 'create API keys');
    const userId = input.userId ?? actor.userId;
    if (userId !== actor.userId) assertAdmin(actor, 'create keys for other users');
    const user = await findUser(this.db, userId);
    if (!user) throw notFound('user', userId);
    if (user.disabledAt) {
      throw new KairosError('user_disabled', `user ${user.name} is disabled; enable it before creating keys`, {
        status: 409,
      });
    }
    return issue(this.db, userId, input.name ?? null);
  }

  async list(
    actor: Actor,
    filter: { userId?: string | undefined; includeRevoked: boolean; limit: number; offset: number },
  ): Promise<{ keys: ApiKey[]; total: number }> {
    if (actor.role !== 'admin') {
      if (filter.userId !== undefined && filter.userId !== actor.userId) assertAdmin(actor, "list other users' keys");
      return listApiKeys(this.db, { ...filter, userId: actor.userId });
    }
    return listApiKeys(this.db, filter);
  }

  async get(actor: Actor, id: string): Promise<ApiKey> {
    const key = await findApiKey(this.db, id);
    if (!key || !canSee(actor, key.userId)) throw notFound('API key', id);
    return key;
  }

  async revoke(actor: Actor, id: string): Promise<ApiKey> {
    assertCanWrite(actor, 'revoke API keys');
    await this.get(actor, id);
    return (await revokeApiKey(this.db, id))!;
  }
}

/**
 * Issues a key straight against the database, with no actor (the operator holds the database):
 * how the first admin key is made before the first start. Uses the user named `userName` (or the
 * user `userId`), creating it with `role` (default admin) when it does not exist.
 */
export async function issueKeyDirect(
  db: Database,
  input: {
    role?: UserRole | undefined;
    userName?: string | undefined;
    userId?: string | undefined;
    keyName?: string | undefined;
  },
): Promise<IssuedKey & { user: User; userCreated: boolean }> {
  return db.transaction(async (tx) => {
    let user: User | undefined;
    let userCreated = false;
    if (input.userId !== undefined) {
      user = await findUser(tx, input.userId);
      if (!user) throw notFound('user', input.userId);
    } else {
      const role = input.role ?? 'admin';
      const name = input.userName ?? role;
      user = await findUserByName(tx, name);
      if (!user) {
        user = await insertUser(tx, { name, role });
        userCreated = true;
      }
    }
    if (input.role !== undefined && user.role !== input.role) {
      throw new KairosError(
        'role_mismatch',
        `user ${user.name} has role ${user.role}, not ${input.role}; pass --role ${user.role} or another --name`,
        { status: 409 },
      );
    }
    if (user.disabledAt) {
      throw new KairosError('user_disabled', `user ${user.name} is disabled; enable it before creating keys`, {
        status: 409,
      });
    }
    const issued = await issue(tx, user.id, input.keyName ?? null);
    return { ...issued, user, userCreated };
  });
}
