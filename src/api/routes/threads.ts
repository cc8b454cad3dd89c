import type { OpenAPIHono } from '@hono/zod-openapi';
import { messageToJson, threadToJson, type ThreadService } from '../../agents/thread-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import {
  MessageList,
  MessageListQuery,
  MessagesAppend,
  Thread,
  ThreadCreate,
  ThreadDeleted,
  ThreadGetQuery,
  ThreadList,
  ThreadListQuery,
  ThreadUpdate,
  ThreadWithMessages,
} from '../schemas/threads.ts';

const tags = ['threads'];

export const threadRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/threads',
    tags,
    summary: 'Create a thread',
    request: { body: jsonBody(ThreadCreate) },
    responses: { 201: json(Thread, 'The thread') },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/threads',
    tags,
    summary: 'List threads',
    request: { query: ThreadListQuery },
    responses: { 200: json(ThreadList, 'A page of threads') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/threads/{id}',
    tags,
    summary: 'Get a thread with its latest messages',
    request: { params: ResourceParams, query: ThreadGetQuery },
    responses: { 200: json(ThreadWithMessages, 'The thread and its messages') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/threads/{id}',
    tags,
    summary: "Replace a thread's metadata",
    request: { params: ResourceParams, body: jsonBody(ThreadUpdate) },
    responses: { 200: json(Thread, 'The thread') },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/api/v1/threads/{id}',
    tags,
    summary: 'Delete a thread, its messages and the schedules bound to it',
    request: { params: ResourceParams },
    responses: { 200: json(ThreadDeleted, 'What was deleted') },
  }),
  messages: apiRoute({
    method: 'get',
    path: '/api/v1/threads/{id}/messages',
    tags,
    summary: "A page of a thread's messages, in order",
    request: { params: ResourceParams, query: MessageListQuery },
    responses: { 200: json(MessageList, 'Messages') },
  }),
  appendMessages: apiRoute({
    method: 'post',
    path: '/api/v1/threads/{id}/messages',
    tags,
    summary: 'Append messages to a thread',
    request: { params: ResourceParams, body: jsonBody(MessagesAppend) },
    responses: { 201: json(MessageList, 'The appended messages') },
  }),
};

export function registerThreadRoutes(app: OpenAPIHono<ApiEnv>, threads: ThreadService): void {
  app.openapi(threadRoutes.create, async (c) =>
    c.json(threadToJson(await threads.create(c.var.actor, c.req.valid('json'))), 201),
  );
  app.openapi(threadRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await threads.list(c.var.actor, query);
    return c.json({ data: items.map(threadToJson), total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(threadRoutes.get, async (c) => {
    const { message_limit: messageLimit } = c.req.valid('query');
    const thread = await threads.get(
      c.var.actor,
      c.req.valid('param').id,
      messageLimit === undefined ? {} : { messageLimit },
    );
    return c.json(
      { ...threadToJson(thread), messages: thread.messages.map(messageToJson), message_count: thread.messageCount },
      200,
    );
  });
  app.openapi(threadRoutes.update, async (c) =>
    c.json(threadToJson(await threads.update(c.var.actor, c.req.valid('param').id, c.req.valid('json'))), 200),
  );
  app.openapi(threadRoutes.delete, async (c) => {
    const { schedulesDeleted } = await threads.delete(c.var.actor, c.req.valid('param').id);
    return c.json({ deleted: true as const, schedules_deleted: schedulesDeleted }, 200);
  });
  app.openapi(threadRoutes.messages, async (c) => {
    const messages = await threads.messages(c.var.actor, c.req.valid('param').id, c.req.valid('query'));
    return c.json({ data: messages.map(messageToJson) }, 200);
  });
  app.openapi(threadRoutes.appendMessages, async (c) => {
    const messages = await threads.appendMessages(c.var.actor, c.req.valid('param').id, c.req.valid('json'));
    return c.json({ data: messages.map(messageToJson) }, 201);
  });
}
