import type { ChatAnswer } from './llm-assistant.ts';

/** A trace event as the journal reads it. */
export interface JournalEvent {
  kind: string;
  data: unknown;
}

/** What an earlier attempt of the same conversation recorded: the model's answers and the tools' results. */
export interface LlmJournal {
  /** The model's answer in round `round`, if an earlier attempt received it. */
  answer(round: number): ChatAnswer | undefined;
  /** The result of the `index`-th tool call of round `round`, if an earlier attempt finished it. */
  result(round: number, index: number): { ok: boolean; value: unknown } | undefined;
}

interface Journaled {
  scope?: unknown;
  round?: unknown;
  index?: unknown;
  answer?: { content?: unknown; tool_calls?: unknown };
  finish_reason?: unknown;
  usage?: unknown;
  ok?: unknown;
  result?: unknown;
}

/**
 * The journal of one conversation (`scope`: the run's idempotency key, which tells a workflow's
 * steps apart, else its id) from the run's trace: each `llm.response` that carries the answer
 * and each `tool.result`, as the tool loop records them when they finish. The first record of a
 * round or call wins (a later attempt that reused it records nothing new for it).
 *
 * @example
 * const journal = llmJournal(await context.journal(), `${runId}`);
 * const answer = journal.answer(0) ?? (await exchange(body));
 */
export function llmJournal(events: readonly JournalEvent[], scope: string): LlmJournal {
  const answers = new Map<number, ChatAnswer>();
  const results = new Map<string, { ok: boolean; value: unknown }>();
  for (const event of events) {
    const data = (event.data ?? {}) as Journaled;
    if (data.scope !== scope || typeof data.round !== 'number') continue;
    if (event.kind === 'llm.response' && data.answer && !answers.has(data.round)) {
      answers.set(data.round, {
        content: typeof data.answer.content === 'string' ? data.answer.content : null,
        toolCalls: Array.isArray(data.answer.tool_calls) ? data.answer.tool_calls : [],
        finishReason: data.finish_reason ?? null,
        usage: (data.usage ?? undefined) as ChatAnswer['usage'],
      });
    }
    if (event.kind === 'tool.result' && typeof data.index === 'number') {
      const key = `${data.round}:${data.index}`;
      if (!results.has(key)) results.set(key, { ok: data.ok === true, value: data.result ?? null });
    }
  }
  return {
    answer: (round) => answers.get(round),
    result: (round, index) => results.get(`${round}:${index}`),
  };
}
