import { Command, Option } from 'commander';
import { toApiKeyBody, type ApiKey } from '../api/schemas/keys.ts';
import { userRoles, type UserRole } from '../auth/actor.ts';
import { issueKeyDirect, KeyService } from '../auth/key-service.ts';
import { KairosError } from '../errors.ts';
import { findUserByName } from '../store/users.ts';
import { connectionOptions, sdkClient, usesServer, withDatabase } from './connection.ts';
import { print, printTable } from './output.ts';

const roleOption = () => new Option('--role <role>', 'role of the user the key is for').choices(userRoles);
const idShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function keyRows(keys: ApiKey[]) {
  return keys.map((key) => ({
    id: key.id,
    prefix: `${key.prefix}…`,
    user: key.user_id,
    name: key.name,
    created: key.created_at,
    last_used: key.last_used_at,
    revoked: key.revoked_at,
  }));
}

function showCreated(
  created: ApiKey & { key: string; user?: { name: string; role: string }; user_created?: boolean },
): void {
  const who = created.user
    ? `${created.user.name} (${created.user.role}${created.user_created ? ', new user' : ''})`
    : created.user_id;
  process.stdout.write(
    `Created API key ${created.id} for ${who}:\n\n  ${created.key}\n\n` +
      'Store it now: it is not shown again. Send it as `Authorization: Bearer <key>` or set KAIROS_API_KEY.\n',
  );
}

/** `kairos keys create|list|revoke`. */
export function keysCommand(): Command {
  const keys = new Command('keys').description(
    'API keys (on the database directly unless KAIROS_URL/--url names a server)',
  );

  keys
    .command('create')
    .description('create an API key and print it once (`keys create --role admin` makes the first admin key)')
    .addOption(roleOption())
    .option('--name <name>', 'user the key is for, created with --role when missing (default: the role name)')
    .option('--user <user>', 'an existing user (id or name) the key is for')
    .option('--label <label>', 'a label for the key itself')
    .option('--json', 'print JSON')
    .action(async (options: { role?: UserRole; name?: string; user?: string; label?: string }, command: Command) => {
      const connection = connectionOptions(command);
      if (usesServer(connection)) {
        if (options.user !== undefined && !idShape.test(options.user)) {
          throw new KairosError('invalid_request', '--user must be a user id when talking to a server', {
            status: 422,
          });
        }
        const created = await sdkClient(connection).keys.create({
          ...(options.user !== undefined && { user_id: options.user }),
          ...(options.label !== undefined && { name: options.label }),
        });
        print(created, connection.json, showCreated);
        return;
      }
      if (options.role === undefined && options.user === undefined) {
        throw new KairosError('invalid_request', 'pass --role <admin|member|viewer> (or --user for an existing user)', {
          status: 422,
        });
      }
      const result = await withDatabase(async (db) => {
        let userId: string | undefined;
        if (options.user !== undefined) {
          userId = idShape.test(options.user) ? options.user : (await findUserByName(db, options.user))?.id;
          if (!userId) throw new KairosError('not_found', `no user named ${options.user}`, { status: 404 });
        }
        return issueKeyDirect(db, { role: options.role, userId, userName: options.name, keyName: options.label });
      });
      const body = {
        ...toApiKeyBody(result.apiKey),
        key: result.key,
        user: { id: result.user.id, name: result.user.name, role: result.user.role },
        user_created: result.userCreated,
      };
      print(body, connection.json, showCreated);
    });

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--user <id>', "one user's keys")
    .option('--all', 'include revoked keys')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (options: { user?: string; all?: boolean; limit: string }, command: Command) => {
      const connection = connectionOptions(command);
      const limit = Number(options.limit);
      const page = usesServer(connection)
        ? await sdkClient(connection).keys.list({
            limit,
            ...(options.user !== undefined && { user_id: options.user }),
            ...(options.all && { include_revoked: true }),
          })
        : await withDatabase(async (db, actor) => {
            const found = await new KeyService(db).list(actor, {
              userId: options.user,
              includeRevoked: Boolean(options.all),
              limit,
              offset: 0,
            });
            return { data: found.keys.map(toApiKeyBody), total: found.total, limit, offset: 0 };
          });
      print(page, connection.json, (value) =>
        printTable(keyRows(value.data), ['id', 'prefix', 'user', 'name', 'created', 'last_used', 'revoked']),
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key')
    .argument('<id>', 'the key id')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      const connection = connectionOptions(command);
      const revoked = usesServer(connection)
        ? await sdkClient(connection).keys.revoke(id)
        : await withDatabase(async (db, actor) => toApiKeyBody(await new KeyService(db).revoke(actor, id)));
      print(revoked, connection.json, (key) => process.stdout.write(`revoked ${key.id} (${key.prefix}…)\n`));
    });

  return keys;
}
