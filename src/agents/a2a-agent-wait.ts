import type { Message } from '@a2a-js/sdk';

/** What an A2A run keeps with its `input-required` wait: the task and context to answer. */
export interface A2aWaitState {
  a2a: {
    task_id: string;
    context_id: string;
    /** The input-required status's timestamp: until the task moves on, it has not taken the answer. */
    status_at: string;
  };
}

/** The kept task and context, when `state` is an A2A run's. */
export function a2aWaitStateOf(state: unknown): A2aWaitState['a2a'] | undefined {
  const a2a = (state as Partial<A2aWaitState> | null)?.a2a;
  return a2a && typeof a2a.task_id === 'string' && typeof a2a.context_id === 'string' ? a2a : undefined;
}

/**
 * The next message of the waiting task: `message` (the decision, event or `{woke_at}` as the
 * run's input message is built) in the same task and context. Its id is stable per wait
 * (`<run id>:answer:<n>`), so a resumed run that sends it again sends the same message.
 */
export function answerMessage(message: Message, task: A2aWaitState['a2a'], index: number): Message {
  return {
    ...message,
    contextId: task.context_id,
    messageId: `${message.messageId}:answer:${index}`,
    taskId: task.task_id,
  };
}
