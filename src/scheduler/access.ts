import type { Assistant } from '../agents/runtime.ts';
import { canSee, type Actor } from '../auth/actor.ts';
import { KairosError, notFound } from '../errors.ts';
import { findAssistant } from '../store/assistants.ts';
import type { Queryable } from '../store/database.ts';
import { findThread } from '../store/threads.ts';

/**
 * The assistant a schedule or run targets, checked: it exists, the owner may run it (owns it, is
 * an admin, or it is built in) and it is active.
 */
export async function runnableAssistant(db: Queryable, actor: Actor, assistantId: string, field = 'assistant_id'): Promise<Assistant> {
  const assistant = await findAssistant(db, assistantId);
  if (!assistant || !(assistant.builtIn || canSee(actor, assistant.ownerId))) {
    throw new KairosError('not_found', `${field}: assistant ${assistantId} was not found (or is not yours)`, {
      status: 404,
      details: { field, id: assistantId },
    });
  }
  if (assistant.status !== 'active') {
    throw new KairosError('assistant_inactive', `${field}: assistant "${assistant.name}" is inactive; activate it first`, {
      status: 422,
      details: { field, id: assistantId },
    });
  }
  return assistant;
}

/** A thread the actor may use. */
export async function usableThread(db: Queryable, actor: Actor, threadId: string): Promise<void> {
  const thread = await findThread(db, threadId);
  if (!thread || !canSee(actor, thread.ownerId)) throw notFound('thread', threadId);
}
