import type { Database } from '../store/database.ts';
import { appendMessages, recentMessages } from '../store/messages.ts';
import { bindScheduleThread, deleteThread, findThread, insertThread, setThreadStatus } from '../store/threads.ts';
import type { Assistant, RunContext, ThreadMessage } from './runtime.ts';
import type { RunToExecute } from './execute-assistant.ts';
import { RunFailure } from '../runs/run-failure.ts';

/** The thread a run works in, its bounded history, and what to do with it when the run ends. */
export interface RunSession {
  /** Null for a stateless run (an api run without a thread). */
  threadId: string | null;
  history: ThreadMessage[];
  /** Records the exchange (input, output) and frees the thread; returns the thread id for the run. */
  succeeded(output: unknown): Promise<string | null>;
  /** Marks the thread `error` (or `interrupted` when cancelled); appends nothing. */
  failed(error: unknown): Promise<string | null>;
  /** The run waits (docs/waits.md): the thread stays `busy`; a temporary one is deleted. */
  parked(): Promise<string | null>;
}

export interface RunSessionOptions {
  db: Database;
  /** How many of the latest messages are sent as history (KAIROS_THREAD_MAX_MESSAGES). */
  maxMessages: number;
  /** Whether the run's owner (`run.ownerId`) is an admin, who may use any thread. */
  ownerIsAdmin: boolean;
  emit: RunContext['emit'];
}

/**
 * Kinds whose run gets a fresh thread under session `new` even when it is deleted after the run
 * (an llm run's trace names the thread it ran in). Every other kind runs statelessly then: a
 * fresh thread has no history and is deleted when the run ends, so creating it costs six
 * statements (insert, event, history read, status, delete, event) for nothing the run or anyone
 * after it can see. For a `module` run that was the whole of its gap to the `http` path
 * (docs/performance.md, "The in-process path").
 */
const threadAware: ReadonlySet<Assistant['kind']> = new Set(['llm']);

const stateless: RunSession = {
  threadId: null,
  history: [],
  succeeded: async () => null,
  failed: async () => null,
  parked: async () => null,
};

/**
 * Opens the run's session:
 * - a thread-bound schedule or an api run on a thread continues `run.threadId`;
 * - `persistent` without a thread yet creates one and binds it to the schedule (race-safe:
 *   if another run bound one first, that one is used and ours is dropped);
 * - `new` creates a fresh thread, deleted after the run unless `on_run_completed = keep`;
 *   except for kinds that cannot read a thread (`http`: it only receives the history in the
 *   POST, and a fresh thread has none): with `delete`, such a thread would be created and deleted
 *   with no observable effect, so the run is stateless (`thread_id: null`, no thread writes) —
 *   unless `freshThread` (a LangGraph cron: its agent is promised a thread id, as LangGraph does);
 * - no session mode and no thread (a plain api run) runs statelessly.
 */
export async function openRunSession(
  options: RunSessionOptions,
  run: RunToExecute,
  assistant: Assistant,
): Promise<RunSession> {
  const { db } = options;
  let threadId = run.threadId;
  let ephemeral = false;
  if (threadId) {
    const thread = await findThread(db, threadId);
    if (!thread) {
      throw new RunFailure('config', `thread ${threadId} no longer exists`, { skip: true, retryable: false });
    }
    if (thread.ownerId !== run.ownerId && !options.ownerIsAdmin) {
      throw new RunFailure('config', `thread ${threadId} belongs to another user`, { skip: true, retryable: false });
    }
  } else if (
    run.sessionMode === 'new' &&
    run.onRunCompleted !== 'keep' &&
    !threadAware.has(assistant.kind) &&
    !run.freshThread
  ) {
    return stateless;
  } else if (run.sessionMode === 'persistent' || run.sessionMode === 'new') {
    const persistent = run.sessionMode === 'persistent' && run.scheduleId !== null;
    const created = await insertThread(db, {
      ownerId: run.ownerId,
      assistantId: assistant.id,
      metadata: { created_by: 'kairos', session_mode: run.sessionMode, schedule_id: run.scheduleId, run_id: run.id },
    });
    threadId = created.id;
    if (persistent) {
      const bound = await bindScheduleThread(db, run.scheduleId!, created.id);
      if (bound !== created.id) {
        if (bound) {
          await deleteThread(db, created.id);
          threadId = bound;
        } else {
          ephemeral = true; // the schedule is gone: nothing will continue this thread
        }
      }
    } else {
      ephemeral = run.onRunCompleted !== 'keep';
    }
    if (threadId === created.id) {
      await options.emit('thread.created', {
        thread_id: created.id,
        session_mode: run.sessionMode,
        temporary: ephemeral,
      });
    }
  } else {
    return stateless;
  }

  const id = threadId;
  // A run executed again (after a crash) does not see its own earlier exchange as history.
  const history = (await recentMessages(db, id, options.maxMessages))
    .filter((message) => message.runId !== run.id)
    .map(({ role, content, runId }) => ({ role, content, runId }));
  await setThreadStatus(db, id, 'busy');

  const release = async (): Promise<string | null> => {
    if (!ephemeral) return id;
    await deleteThread(db, id);
    await options.emit('thread.deleted', { thread_id: id, reason: 'session_mode new, on_run_completed delete' });
    return null;
  };
  return {
    threadId: id,
    history,
    async succeeded(output) {
      if (!ephemeral) {
        await appendMessages(
          db,
          id,
          [
            { role: 'user', content: run.input ?? null, runId: run.id },
            { role: 'assistant', content: output ?? null, runId: run.id },
          ],
          { onceForRun: run.id },
        );
        await setThreadStatus(db, id, 'idle');
      }
      return release();
    },
    async failed(error) {
      if (!ephemeral) {
        const cancelled = error instanceof RunFailure && error.kind === 'cancelled';
        await setThreadStatus(db, id, cancelled ? 'interrupted' : 'error');
      }
      return release();
    },
    parked: release,
  };
}
