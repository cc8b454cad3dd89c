/** One pending interrupt of a LangGraph run: the value its node passed to `interrupt()`. */
export interface LangGraphInterrupt {
  id: string | null;
  value: unknown;
}

/** What a LangGraph run keeps with its interrupt's wait: the remote thread to resume. */
export interface LangGraphWaitState {
  langgraph: { thread_id: string; interrupt_id: string | null };
}

/**
 * The interrupts a `/runs/wait` answer reports: LangGraph servers put the pending interrupts of
 * an interrupted run in the final values as `__interrupt__: [{value, id}, …]`. Empty when none.
 */
export function interruptsOf(values: unknown): LangGraphInterrupt[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return [];
  const list = (values as { __interrupt__?: unknown }).__interrupt__;
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const entry = (item ?? {}) as { id?: unknown; interrupt_id?: unknown; value?: unknown };
    const id = entry.id ?? entry.interrupt_id;
    return { id: typeof id === 'string' ? id : null, value: entry.value ?? null };
  });
}

/**
 * The approval's prompt: a text value as is, else its `question`, `prompt` or `message` text,
 * else the value as JSON.
 */
export function interruptPrompt(interrupt: LangGraphInterrupt): string {
  const value = interrupt.value;
  if (typeof value === 'string' && value !== '') return value;
  if (value !== null && typeof value === 'object') {
    for (const key of ['question', 'prompt', 'message']) {
      const text = (value as Record<string, unknown>)[key];
      if (typeof text === 'string' && text !== '') return text;
    }
  }
  const json = JSON.stringify(value);
  return json && json !== 'null' ? json : 'the LangGraph graph asks for input';
}

/** The kept remote thread, when `state` is a LangGraph run's. */
export function langgraphWaitStateOf(state: unknown): LangGraphWaitState['langgraph'] | undefined {
  const kept = (state as Partial<LangGraphWaitState> | null)?.langgraph;
  return kept && typeof kept.thread_id === 'string' && kept.thread_id !== '' ? kept : undefined;
}
