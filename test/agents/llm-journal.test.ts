import { describe, expect, it } from 'vitest';
import { llmJournal } from '../../src/agents/llm-journal.ts';

describe('llmJournal', () => {
  const events = [
    { kind: 'llm.request', data: { round: 0 } },
    {
      kind: 'llm.response',
      data: { round: 0, scope: 'r:steps[0]', answer: { content: null, tool_calls: [{ id: 'a' }] } },
    },
    {
      kind: 'llm.response',
      data: { round: 0, scope: 'r:steps[1]', answer: { content: 'other step', tool_calls: [] } },
    },
    { kind: 'tool.result', data: { round: 0, index: 0, scope: 'r:steps[0]', ok: true, result: { id: 's1' } } },
    // A later attempt's record of the same call does not replace the first.
    { kind: 'tool.result', data: { round: 0, index: 0, scope: 'r:steps[0]', ok: false, result: null } },
    // Old events without an answer or a scope are not journal entries.
    { kind: 'llm.response', data: { round: 1, scope: 'r:steps[0]', tool_calls: 2 } },
    { kind: 'tool.result', data: { round: 1, ok: true, result: 1 } },
  ];

  it("reads one conversation's answers and results, first record wins", () => {
    const journal = llmJournal(events, 'r:steps[0]');
    expect(journal.answer(0)).toEqual({
      content: null,
      toolCalls: [{ id: 'a' }],
      finishReason: null,
      usage: undefined,
    });
    expect(journal.result(0, 0)).toEqual({ ok: true, value: { id: 's1' } });
    expect(journal.answer(1)).toBeUndefined();
    expect(journal.result(1, 0)).toBeUndefined();
  });

  it('keeps the conversations of different steps apart', () => {
    expect(llmJournal(events, 'r:steps[1]').answer(0)?.content).toBe('other step');
    expect(llmJournal(events, 'r:steps[1]').result(0, 0)).toBeUndefined();
    expect(llmJournal(events, 'r').answer(0)).toBeUndefined();
  });
});
