import type { Assistant, RunContext, RunResult } from './runtime.ts';
import type { LlmAssistantConfig } from './assistant-config.ts';
import type { ChatExchange, ChatMessage } from './llm-assistant.ts';
import { addUsage } from './reported-usage.ts';
import { llmJournal } from './llm-journal.ts';
import { checkTokensPerRun } from './run-budget.ts';
import { RunFailure } from '../runs/run-failure.ts';
import {
  approvalSpec,
  llmWaitStateOf,
  requestApprovalFunction,
  requestApprovalTool,
  type LlmWaitState,
} from './llm-request-approval.ts';

/** Rounds of tool calls an llm assistant may make in one run unless `config.max_tool_rounds` says otherwise. */
export const defaultMaxToolRounds = 8;

interface ParsedCall {
  id: string;
  name: string;
  /** The arguments, parsed; undefined with `problem` when they were not a JSON object. */
  args: unknown;
  problem?: string;
}

/** A `tool_calls` entry of the provider's answer (`{id, type: "function", function: {name, arguments}}`). */
function parseCall(raw: unknown, index: number): ParsedCall {
  const call = (raw ?? {}) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
  const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`;
  const name = typeof call.function?.name === 'string' ? call.function.name : '';
  const text = call.function?.arguments;
  if (text === undefined || text === null || text === '') return { id, name, args: {} };
  if (typeof text === 'object') return { id, name, args: text };
  try {
    const args: unknown = JSON.parse(String(text));
    if (typeof args === 'object' && args !== null && !Array.isArray(args)) return { id, name, args };
  } catch {
    // reported below
  }
  return { id, name, args: undefined, problem: 'function.arguments must be a JSON object, e.g. {"schedule_id": "…"}' };
}

/** What the model is told about acting through the tools: now, its zone, and that it may schedule itself. */
function toolsPrompt(timezone: string): string {
  return (
    `The current time is ${new Date().toISOString()}. You can manage schedules with the tools given. ` +
    `Schedules you create without a timezone use ${timezone}; without an assistant_id they run you. ` +
    'A tool answering {"error": …} did nothing: read the message, fix the call and try again, or tell the user.'
  );
}

export interface ToolLoopInput {
  assistant: Assistant;
  config: LlmAssistantConfig;
  context: RunContext;
  exchange: ChatExchange;
  /** The conversation so far: system prompt, history, the run's input. */
  messages: ChatMessage[];
  /** The rest of each request (temperature, max_tokens). */
  request: Record<string, unknown>;
}

/**
 * The tool-call loop of an llm assistant with `config.tools`: each answer's `tool_calls` are
 * executed as the run's owner (through the toolbox, so with that user's rights and no more),
 * their results sent back as `tool` messages, until the model answers in text. More than
 * `max_tool_rounds` rounds fail the run (`assistant_error`, not retried: it would repeat them).
 * Every call and result is an event of the run's trace (`tool.call`, `tool.result`), and those
 * events with each answer (`llm.response`) are the conversation's journal: a retried or recovered
 * run takes the answers and results earlier attempts recorded instead of asking or calling again.
 */
export async function runToolLoop(input: ToolLoopInput): Promise<RunResult> {
  const { assistant, config, context, exchange, request } = input;
  const toolbox = context.tools;
  const sets = config.tools ?? [];
  if (sets.length > 0 && !toolbox)
    throw new RunFailure('config', 'this replica has no tools to give llm assistants (config.tools)', {
      retryable: false,
    });
  if (sets.length > 0 && (!context.ownerId || !context.ownerRole))
    throw new RunFailure('config', 'a run with tools needs an owner to act as', { retryable: false });
  const approvals = config.request_approval;
  const functions = [
    ...(toolbox && sets.length > 0 ? toolbox.functions(sets) : []),
    ...(approvals ? [requestApprovalFunction] : []),
  ];
  const maxRounds = config.max_tool_rounds ?? defaultMaxToolRounds;
  const timezone = config.default_timezone ?? 'UTC';
  const caller = {
    ownerId: context.ownerId ?? '',
    ownerRole: context.ownerRole ?? 'viewer',
    runId: context.runId,
    assistantId: assistant.id,
    defaultTimezone: timezone,
  };
  const allowed = new Set(functions.map((f) => f.function.name));
  let messages: ChatMessage[];
  let usage: RunResult['usage'];
  let firstRound = 0;
  // The conversation's journal: a retried or recovered run takes what an earlier attempt received.
  const scope = context.idempotencyKey ?? context.runId;
  const journal = llmJournal(context.journal ? await context.journal() : [], scope);

  /** Executes one answer's calls from `from` on, adding a `tool` message for each. */
  const runCalls = async (calls: unknown[], from: number, round: number): Promise<void> => {
    for (let index = from; index < calls.length; index++) {
      if (context.signal.aborted)
        throw context.signal.reason instanceof Error ? context.signal.reason : new Error('aborted');
      const call = parseCall(calls[index], index);
      // `<run>:<turn>:<call>` (a workflow step's run part is its own key, `<run>:<step key>`).
      const idempotencyKey = `${scope}:${round}:${index}`;
      const journaled = journal.result(round, index);
      if (journaled) {
        await context.emit('tool.reused', {
          id: call.id,
          name: call.name,
          round,
          index,
          idempotency_key: idempotencyKey,
        });
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(journaled.value) });
        continue;
      }
      await context.emit('tool.call', {
        id: call.id,
        name: call.name,
        arguments: call.args ?? null,
        round,
        index,
        idempotency_key: idempotencyKey,
      });
      const result = call.problem
        ? { ok: false, value: { error: { code: 'invalid_arguments', message: call.problem } } }
        : !allowed.has(call.name)
          ? {
              ok: false,
              value: {
                error: {
                  code: 'tool_not_found',
                  message: `there is no tool "${call.name}"; the tools are ${[...allowed].join(', ')}`,
                },
              },
            }
          : call.name === requestApprovalTool && approvals
            ? await requestApproval(call, calls, index, round)
            : await toolbox!.call(call.name, call.args, { ...caller, idempotencyKey });
      await context.emit('tool.result', {
        id: call.id,
        name: call.name,
        ok: result.ok,
        result: result.value,
        round,
        index,
        scope,
      });
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result.value) });
    }
  };

  /** Parks the run on an approval (its decision is the call's result when the run resumes). */
  const requestApproval = async (
    call: ParsedCall,
    calls: unknown[],
    index: number,
    round: number,
  ): Promise<{ ok: boolean; value: unknown }> => {
    const spec = approvalSpec(call.args, approvals!);
    if ('problem' in spec) return { ok: false, value: { error: { code: 'invalid_arguments', message: spec.problem } } };
    if (!context.waits) {
      const message = 'approvals cannot be requested here (a workflow step or a test call): go on without one';
      return { ok: false, value: { error: { code: 'cannot_wait', message } } };
    }
    const state: LlmWaitState = {
      llm: {
        messages: [...messages],
        call_id: call.id,
        index,
        rest: calls.slice(index + 1),
        round,
        usage: usage ?? null,
      },
    };
    return { ok: true, value: await context.waits.wait(spec, { name: requestApprovalTool, state }) };
  };

  const resumed = context.waits?.resumed;
  const kept = resumed && llmWaitStateOf(resumed.state);
  if (resumed && kept) {
    // Resumed after an approval: the decision answers the call, then the answer's other calls run.
    messages = [...kept.messages];
    usage = kept.usage ?? undefined;
    firstRound = kept.round + 1;
    await context.emit('tool.result', {
      id: kept.call_id,
      name: requestApprovalTool,
      ok: true,
      result: resumed.result,
      round: kept.round,
    });
    messages.push({ role: 'tool', tool_call_id: kept.call_id, content: JSON.stringify(resumed.result) });
    await runCalls([...new Array<unknown>(kept.index + 1).fill(null), ...kept.rest], kept.index + 1, kept.round);
  } else {
    const firstUser = input.messages.findIndex((m) => m.role !== 'system');
    messages = [...input.messages];
    messages.splice(firstUser < 0 ? messages.length : firstUser, 0, { role: 'system', content: toolsPrompt(timezone) });
  }

  for (let round = firstRound; ; round++) {
    let answer = journal.answer(round);
    if (answer) {
      await context.emit('llm.reused', { round, scope, tool_calls: answer.toolCalls.length });
    } else {
      await context.emit('llm.request', {
        model: config.model,
        messages: messages.length,
        history: context.history.length,
        round,
        tools: functions.length,
      });
      answer = await exchange({ model: config.model, messages, ...request, tools: functions });
      // Awaited: the answer is journaled before any of its tool calls runs.
      await context.emit('llm.response', {
        finish_reason: answer.finishReason,
        usage: answer.usage ?? null,
        round,
        tool_calls: answer.toolCalls.length,
        scope,
        answer: { content: answer.content, tool_calls: answer.toolCalls },
      });
    }
    usage = addUsage(usage, answer.usage);
    // Budget hook (docs/gates.md "Budgets"): a run at its tokens_per_run makes no further call.
    checkTokensPerRun(context.tokensPerRun, usage);
    if (answer.toolCalls.length === 0) return { output: answer.content ?? '', usage };
    if (round >= maxRounds) {
      throw new RunFailure(
        'assistant_error',
        `the model still called tools after ${maxRounds} rounds (config.max_tool_rounds); the run stops here`,
        {
          retryable: false,
          details: { max_tool_rounds: maxRounds },
        },
      );
    }
    messages.push({ role: 'assistant', content: answer.content, tool_calls: answer.toolCalls });
    await runCalls(answer.toolCalls, 0, round);
  }
}
