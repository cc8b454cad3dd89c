import type { OpenAPIHono } from '@hono/zod-openapi';
import type { UserService } from '../../auth/user-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { IdParams } from '../schemas/common.ts';
import { User, UserCreate, UserList, UserListQuery, UserUpdate, toUserBody } from '../schemas/users.ts';

const tags = ['users'];

export const userRoutes = {
  list: apiRoute({
    method: 'get',
    path: '/api/v1/users',
    tags,
    summary: 'List users (admins)',
    request: { query: UserListQuery },
    responses: { 200: json(UserList, 'A page of users') },
  }),
  create: apiRoute({
    method: 'post',
    path: '/api/v1/users',
    tags,
    summary: 'Create a user (admins)',
    request: { body: jsonBody(UserCreate) },
    responses: { 201: json(User, 'The user') },
    extraErrors: { 409: 'A user with this name exists (`name_taken`)' },
  }),
  me: apiRoute({
    method: 'get',
    path: '/api/v1/users/me',
    tags,
    summary: 'The calling user',
    responses: { 200: json(User, 'The user the key belongs to') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/users/{id}',
    tags,
    summary: 'Get a user (admins, or yourself)',
    request: { params: IdParams },
    responses: { 200: json(User, 'The user') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/users/{id}',
    tags,
    summary: 'Rename, change the role of, disable or re-enable a user (admins)',
    request: { params: IdParams, body: jsonBody(UserUpdate) },
    responses: { 200: json(User, 'The user') },
    extraErrors: {
      409: 'Name taken, or the change would leave no enabled admin (`name_taken`, `last_admin`, `built_in_user`)',
    },
  }),
};

export function registerUserRoutes(app: OpenAPIHono<ApiEnv>, users: UserService): void {
  app.openapi(userRoutes.list, async (c) => {
    const page = c.req.valid('query');
    const { users: found, total } = await users.list(c.var.actor, page);
    return c.json({ data: found.map(toUserBody), total, ...page }, 200);
  });
  app.openapi(userRoutes.create, async (c) =>
    c.json(toUserBody(await users.create(c.var.actor, c.req.valid('json'))), 201),
  );
  app.openapi(userRoutes.me, async (c) => c.json(toUserBody(await users.me(c.var.actor)), 200));
  app.openapi(userRoutes.get, async (c) =>
    c.json(toUserBody(await users.get(c.var.actor, c.req.valid('param').id)), 200),
  );
  app.openapi(userRoutes.update, async (c) =>
    c.json(toUserBody(await users.update(c.var.actor, c.req.valid('param').id, c.req.valid('json'))), 200),
  );
}
