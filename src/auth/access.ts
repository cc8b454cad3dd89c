import { KairosError, notFound } from '../errors.ts';
import type { Assistant } from '../store/assistants.ts';
import type { Queryable } from '../store/database.ts';
import { findThread } from '../store/threads.ts';
import { canSee, type Actor } from './actor.ts';

/** What resolves and checks an assistant for an actor (the assistant service, src/agents). */
export interface RunnableAssistants {
  assertRunnable(actor: Actor, idOrGraphId: string): Promise<Assistant>;
}

/**
 * The assistant a schedule or run targets (an id or a graph id), checked by the assistant service
 * (exists for the actor, active, runnable here); a miss names the request's field.
 */
export async function runnableAssistant(
  assistants: RunnableAssistants,
  actor: Actor,
  idOrGraphId: string,
  field = 'assistant_id',
): Promise<Assistant> {
  try {
    return await assistants.assertRunnable(actor, idOrGraphId);
  } catch (error) {
    if (error instanceof KairosError && error.code === 'not_found') {
      throw new KairosError(
        'not_found',
        `${field}: no assistant or graph "${idOrGraphId}" was found (or it is not yours)`,
        {
          status: 404,
          details: { field, id: idOrGraphId },
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** A thread the actor may use. */
export async function usableThread(db: Queryable, actor: Actor, threadId: string): Promise<void> {
  const thread = await findThread(db, threadId);
  if (!thread || !canSee(actor, thread.ownerId)) throw notFound('thread', threadId);
}
