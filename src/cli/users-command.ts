import { Command, Option } from 'commander';
import { toUserBody, type User } from '../api/schemas/users.ts';
import { userRoles, type UserRole } from '../auth/actor.ts';
import { UserService } from '../auth/user-service.ts';
import { connectionOptions, sdkClient, usesServer, withDatabase } from './connection.ts';
import { print, printTable } from './output.ts';
import { parseJsonObject } from './json-argument.ts';
import type { StoredBudget } from '../store/budgets.ts';

const showUsers = (users: User[]) =>
  printTable(
    users.map((user) => ({
      id: user.id,
      name: user.name,
      role: user.role,
      disabled: user.disabled ? 'yes' : '',
      created: user.created_at,
    })),
    ['id', 'name', 'role', 'disabled', 'created'],
  );

/** `kairos users list|create|update`. */
export function usersCommand(): Command {
  const users = new Command('users').description(
    'users and roles (on the database directly unless KAIROS_URL/--url names a server)',
  );

  users
    .command('list')
    .description('list users')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string }, command: Command) => {
      const connection = connectionOptions(command);
      const limit = Number(options.limit);
      const page = usesServer(connection)
        ? await sdkClient(connection).users.list({ limit })
        : await withDatabase(async (db, actor) => {
            const found = await new UserService(db).list(actor, { limit, offset: 0 });
            return { data: found.users.map(toUserBody), total: found.total, limit, offset: 0 };
          });
      print(page, connection.json, (value) => showUsers(value.data));
    });

  users
    .command('create')
    .description('create a user')
    .argument('<name>', 'the user name')
    .addOption(new Option('--role <role>', 'its role').choices(userRoles).default('member'))
    .option('--json', 'print JSON')
    .action(async (name: string, options: { role: UserRole }, command: Command) => {
      const connection = connectionOptions(command);
      const user = usesServer(connection)
        ? await sdkClient(connection).users.create({ name, role: options.role })
        : await withDatabase(async (db, actor) =>
            toUserBody(await new UserService(db).create(actor, { name, role: options.role })),
          );
      print(user, connection.json, (value) => showUsers([value]));
    });

  users
    .command('update')
    .description('rename, change the role of, disable or enable a user')
    .argument('<id>', 'the user id')
    .option('--name <name>', 'new name')
    .addOption(new Option('--role <role>', 'new role').choices(userRoles))
    .option('--disable', 'disable the user (its keys stop working)')
    .option('--enable', 'enable the user again')
    .option(
      '--budget <json>',
      'a budget on the user\'s runs (admins only; docs/gates.md), e.g. \'{"tokens_per_day":100000,"on_exceed":"ask"}\', or null to remove it',
    )
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        options: { name?: string; role?: UserRole; disable?: boolean; enable?: boolean; budget?: string },
        command: Command,
      ) => {
        const connection = connectionOptions(command);
        const changes = {
          ...(options.name !== undefined && { name: options.name }),
          ...(options.role !== undefined && { role: options.role }),
          ...(options.disable && { disabled: true }),
          ...(options.enable && { disabled: false }),
          ...(options.budget !== undefined && {
            budget:
              options.budget.trim() === 'null'
                ? null
                : (parseJsonObject(options.budget, '--budget') as unknown as StoredBudget),
          }),
        };
        const user = usesServer(connection)
          ? await sdkClient(connection).users.update(id, changes)
          : await withDatabase(async (db, actor) => toUserBody(await new UserService(db).update(actor, id, changes)));
        print(user, connection.json, (value) => showUsers([value]));
      },
    );

  return users;
}
