import type { z } from 'zod';
import type { AgentWaitSpec, agentApprovalSettingsSchema } from '../runs/agent-wait.ts';
import type { ChatFunction } from './agent-toolbox.ts';
import type { ChatMessage } from './llm-assistant.ts';
import type { RunResult } from './runtime.ts';

/** The name of the built-in tool an llm assistant with `config.request_approval` is given. */
export const requestApprovalTool = 'request_approval';

/** `config.request_approval`: `true`, or the approval's approvers, timeout and on_timeout. */
export type RequestApprovalConfig = true | z.output<typeof agentApprovalSettingsSchema>;

/** The function schema the model sees. */
export const requestApprovalFunction: ChatFunction = {
  type: 'function',
  function: {
    name: requestApprovalTool,
    description:
      'Ask a person to approve something before you go on. The run pauses until someone decides ' +
      '(possibly hours later); the result is {approved, comment, by, data, decided_at, timed_out}. ' +
      'Only act on what was approved.',
    parameters: {
      type: 'object',
      properties: {
        prompt: { type: 'string', description: 'What the person approves, with everything they need to decide.' },
      },
      required: ['prompt'],
      additionalProperties: false,
    },
  },
};

/** The wait a `request_approval` call asks for, or a problem with its arguments for the model. */
export function approvalSpec(args: unknown, config: RequestApprovalConfig): AgentWaitSpec | { problem: string } {
  const prompt = (args as { prompt?: unknown } | undefined)?.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '' || prompt.length > 10_000)
    return { problem: 'prompt must be a non-empty string of at most 10000 characters, e.g. {"prompt": "Send it?"}' };
  return { approval: { ...(config === true ? {} : config), prompt } };
}

/**
 * What the tool loop keeps with the wait (`waits.state`) to continue when the run resumes: the
 * conversation up to the `request_approval` call, the calls of that answer after it, the round
 * and the tokens used so far.
 */
export interface LlmWaitState {
  llm: {
    messages: ChatMessage[];
    call_id: string;
    /** Index of the approval call in its answer's `tool_calls`; `rest` follows it. */
    index: number;
    rest: unknown[];
    round: number;
    usage: RunResult['usage'] | null;
  };
}

/** The loop's state, when `state` is one. */
export function llmWaitStateOf(state: unknown): LlmWaitState['llm'] | undefined {
  const llm = (state as Partial<LlmWaitState> | null)?.llm;
  return llm && Array.isArray(llm.messages) && Array.isArray(llm.rest) ? llm : undefined;
}
