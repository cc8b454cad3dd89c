import { z } from '@hono/zod-openapi';
import { messagesAppendSchema, threadCreateSchema, threadUpdateSchema } from '../../agents/thread-service.ts';
import { PageQuery, Timestamp, pageOf } from './common.ts';
import { jsonObjectQuery } from './json-query.ts';

export const Message = z
  .object({
    seq: z.number().int(),
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.unknown(),
    run_id: z.string().nullable(),
    created_at: Timestamp,
  })
  .openapi('Message');

const threadFields = {
  id: z.string(),
  owner_id: z.string(),
  assistant_id: z.string().nullable(),
  status: z.enum(['idle', 'busy', 'error', 'interrupted']),
  metadata: z.record(z.string(), z.unknown()),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Thread = z.object(threadFields).openapi('Thread');

export const ThreadWithMessages = z
  .object({
    ...threadFields,
    messages: z.array(Message).openapi({ description: 'The latest messages, oldest first' }),
    message_count: z.number().int(),
  })
  .openapi('ThreadWithMessages');

export const ThreadCreate = threadCreateSchema;
export const ThreadUpdate = threadUpdateSchema;
export const MessagesAppend = messagesAppendSchema;

export const ThreadListQuery = PageQuery.extend({
  assistant_id: z.string().min(1).optional(),
  status: z.enum(['idle', 'busy', 'error', 'interrupted']).optional(),
  metadata: jsonObjectQuery.optional(),
});

export const ThreadGetQuery = z.object({
  message_limit: z.coerce.number().int().min(0).max(10_000).optional(),
});

export const MessageListQuery = z.object({
  after_seq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ThreadList = pageOf(Thread, 'ThreadList');
export const MessageList = z.object({ data: z.array(Message) }).openapi('MessageList');
export const ThreadDeleted = z
  .object({ deleted: z.literal(true), schedules_deleted: z.number().int() })
  .openapi('ThreadDeleted');

export type Message = z.infer<typeof Message>;
export type Thread = z.infer<typeof Thread>;
export type ThreadWithMessages = z.infer<typeof ThreadWithMessages>;
export type ThreadCreate = z.input<typeof ThreadCreate>;
export type ThreadUpdate = z.input<typeof ThreadUpdate>;
export type MessagesAppend = z.input<typeof MessagesAppend>;
export type ThreadList = z.infer<typeof ThreadList>;
export type MessageList = z.infer<typeof MessageList>;
export type ThreadDeleted = z.infer<typeof ThreadDeleted>;
