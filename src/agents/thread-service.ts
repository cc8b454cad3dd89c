import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { KairosError, notFound } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { countSchedulesOnThread } from '../store/schedules.ts';
import { appendMessages, countMessages, listMessages, recentMessages, type Message } from '../store/messages.ts';
import {
  deleteThread,
  findThread,
  insertThread,
  listThreads,
  updateThreadMetadata,
  type Thread,
} from '../store/threads.ts';
import type { AssistantService } from './assistant-service.ts';
import { parseInput } from './validation.ts';

const jsonObject = z.record(z.string(), z.unknown());
const roles = ['system', 'user', 'assistant', 'tool'] as const;

export const threadCreateSchema = z.strictObject({
  /** The assistant the thread talks to (an id or a graph id); optional. */
  assistant_id: z.string().min(1).nullable().optional(),
  metadata: jsonObject.default({}),
});

export const threadUpdateSchema = z.strictObject({ metadata: jsonObject });

export const threadListSchema = z.strictObject({
  assistant_id: z.string().min(1).optional(),
  status: z.enum(['idle', 'busy', 'error', 'interrupted']).optional(),
  metadata: jsonObject.optional(),
  ids: z.array(z.uuid()).max(1000).optional(),
  sort_by: z.enum(['id', 'status', 'created_at', 'updated_at']).optional(),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const messagesAppendSchema = z
  .array(
    z.strictObject({ role: z.enum(roles), content: z.unknown().refine((value) => value !== undefined, 'is required') }),
  )
  .min(1, 'give at least one message')
  .max(1000);

export const messagesListSchema = z.strictObject({
  after_seq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export type ThreadCreateInput = z.input<typeof threadCreateSchema>;
export type ThreadListInput = z.input<typeof threadListSchema>;
export type MessageInput = z.input<typeof messagesAppendSchema>[number];

export interface ThreadWithMessages extends Thread {
  /** The latest messages (at most `messageLimit`), oldest first. */
  messages: Message[];
  messageCount: number;
}

/** Threads: the conversations persistent sessions continue. */
export interface ThreadService {
  create(actor: Actor, input?: ThreadCreateInput): Promise<Thread>;
  /** A thread with its latest messages (default: the last KAIROS_THREAD_MAX_MESSAGES). */
  get(actor: Actor, id: string, options?: { messageLimit?: number }): Promise<ThreadWithMessages>;
  list(actor: Actor, filter?: ThreadListInput): Promise<{ items: Thread[]; total: number }>;
  update(actor: Actor, id: string, patch: { metadata: Record<string, unknown> }): Promise<Thread>;
  /** Deletes the thread, its messages and the schedules bound to it; says how many schedules went. */
  delete(actor: Actor, id: string): Promise<{ schedulesDeleted: number }>;
  /** A page of messages in order, after `after_seq`. */
  messages(actor: Actor, id: string, page?: z.input<typeof messagesListSchema>): Promise<Message[]>;
  appendMessages(actor: Actor, id: string, messages: MessageInput[]): Promise<Message[]>;
}

export interface ThreadServiceOptions {
  db: Database;
  assistants: AssistantService;
  /** KAIROS_THREAD_MAX_MESSAGES: how many messages `get` returns by default. */
  threadMaxMessages: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertWriter(actor: Actor, action: string): void {
  if (actor.role === 'viewer') {
    throw new KairosError('forbidden', `viewers cannot ${action}; ask an admin for a member key`, { status: 403 });
  }
}

export function createThreadService(options: ThreadServiceOptions): ThreadService {
  const { db } = options;

  async function visible(actor: Actor, id: string): Promise<Thread> {
    const thread = uuidPattern.test(id) ? await findThread(db, id) : undefined;
    if (!thread || (actor.role !== 'admin' && thread.ownerId !== actor.userId)) throw notFound('thread', id);
    return thread;
  }

  return {
    async create(actor, input = {}) {
      assertWriter(actor, 'create threads');
      const parsed = parseInput(threadCreateSchema, input);
      const assistant = parsed.assistant_id ? await options.assistants.resolve(actor, parsed.assistant_id) : undefined;
      return insertThread(db, { ownerId: actor.userId, assistantId: assistant?.id ?? null, metadata: parsed.metadata });
    },

    async get(actor, id, { messageLimit = options.threadMaxMessages } = {}) {
      const thread = await visible(actor, id);
      const [messages, messageCount] = await Promise.all([recentMessages(db, id, messageLimit), countMessages(db, id)]);
      return { ...thread, messages, messageCount };
    },

    async list(actor, filter = {}) {
      const parsed = parseInput(threadListSchema, filter);
      let assistantId: string | undefined;
      if (parsed.assistant_id) assistantId = (await options.assistants.resolve(actor, parsed.assistant_id)).id;
      return listThreads(db, {
        ownerId: actor.role === 'admin' ? undefined : actor.userId,
        assistantId,
        status: parsed.status,
        metadata: parsed.metadata,
        ids: parsed.ids,
        ...(parsed.sort_by && { orderBy: { column: parsed.sort_by, direction: parsed.sort_order } }),
        limit: parsed.limit,
        offset: parsed.offset,
      });
    },

    async update(actor, id, patch) {
      assertWriter(actor, 'change threads');
      await visible(actor, id);
      const parsed = parseInput(threadUpdateSchema, patch);
      const updated = await updateThreadMetadata(db, id, parsed.metadata);
      if (!updated) throw notFound('thread', id);
      return updated;
    },

    async delete(actor, id) {
      assertWriter(actor, 'delete threads');
      await visible(actor, id);
      return db.transaction(async (tx) => {
        const bound = await countSchedulesOnThread(tx, id);
        if (!(await deleteThread(tx, id))) throw notFound('thread', id);
        return { schedulesDeleted: bound };
      });
    },

    async messages(actor, id, page = {}) {
      await visible(actor, id);
      const parsed = parseInput(messagesListSchema, page);
      return listMessages(db, id, { afterSeq: parsed.after_seq, limit: parsed.limit });
    },

    async appendMessages(actor, id, messages) {
      assertWriter(actor, 'add messages');
      await visible(actor, id);
      const parsed = parseInput(messagesAppendSchema, messages, ['messages']);
      const appended = await appendMessages(
        db,
        id,
        parsed.map((message) => ({ role: message.role, content: message.content })),
      );
      if (!appended) throw notFound('thread', id);
      return appended;
    },
  };
}

/** The public JSON view of a thread (and its messages, when loaded). */
export function threadToJson(thread: Thread | ThreadWithMessages) {
  return {
    id: thread.id,
    owner_id: thread.ownerId,
    assistant_id: thread.assistantId,
    status: thread.status,
    metadata: thread.metadata,
    created_at: thread.createdAt.toISOString(),
    updated_at: thread.updatedAt.toISOString(),
    ...('messages' in thread
      ? { messages: thread.messages.map(messageToJson), message_count: thread.messageCount }
      : {}),
  };
}

export function messageToJson(message: Message) {
  return {
    seq: message.seq,
    role: message.role,
    content: message.content,
    run_id: message.runId,
    created_at: message.createdAt.toISOString(),
  };
}
