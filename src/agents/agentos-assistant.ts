import { addressGuardFromEnvironment } from './address-guard.ts';
import { agentosConfigSchema } from './assistant-config.ts';
import { assistantSignal } from './assistant-timeout.ts';
import {
  excerpt,
  formBody,
  resolveHeaders,
  responseBody,
  runtimeConfig,
  sendOutbound,
  statusFailure,
  type OutboundRuntimeOptions,
} from './http-assistant.ts';
import type { AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { RunFailure } from '../runs/run-failure.ts';

/** The run's input as the AgentOS `message` form field: text as is, anything else as JSON. */
export function agentMessage(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input === null || input === undefined) return '';
  return JSON.stringify(input);
}

/** Where a run goes: `/agents/{id}/runs`, `/teams/{id}/runs` or `/workflows/{id}/runs`. */
function runsPath(config: { agent_id?: string; team_id?: string; workflow_id?: string }): string {
  const [collection, id] = config.agent_id
    ? ['agents', config.agent_id]
    : config.team_id
      ? ['teams', config.team_id]
      : ['workflows', config.workflow_id!];
  return `${collection}/${encodeURIComponent(id)}/runs`;
}

/**
 * The `agentos` kind: an Agno AgentOS agent, team or workflow. POSTs the form fields AgentOS's
 * run routes read (`message`, `stream=false`, `session_id`, `user_id`) to
 * `{base_url}/agents/{agent_id}/runs` (or `/teams/…`, `/workflows/…`) with `Idempotency-Key: <run
 * id>`; the output is the run's `content`. A persistent session sends the AgentOS session id kept
 * on the Kairos thread; on first use AgentOS chooses one and Kairos keeps the `session_id` it
 * answers with, so the next run continues that conversation.
 */
export function agentosAssistantRuntime(
  options: OutboundRuntimeOptions = { guard: addressGuardFromEnvironment() },
): AssistantRuntime {
  const env = options.env ?? process.env;
  return {
    kind: 'agentos',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const config = runtimeConfig(assistant, (value) => agentosConfigSchema.safeParse(value));
      const url = new URL(runsPath(config), config.base_url.endsWith('/') ? config.base_url : `${config.base_url}/`);
      const sessionId = context.remoteSession?.id ?? null;
      const userId = config.user_id ?? context.ownerId;
      const body = formBody({
        message: agentMessage(context.input),
        stream: 'false',
        ...(sessionId && { session_id: sessionId }),
        ...(userId && { user_id: userId }),
      });
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...resolveHeaders(config.headers, env),
        'idempotency-key': context.runId,
      };
      const signal = assistantSignal(context.signal, config.timeout_s);
      const response = await sendOutbound(
        options,
        { url, headers, body, signal, configuredHeaders: config.headers },
        context,
      );
      const where = `POST ${url.origin}${url.pathname}`;
      if (response.status < 200 || response.status >= 300) throw statusFailure(where, response);
      const answer = responseBody(response);
      if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
        throw new RunFailure(
          'assistant_error',
          `${where} did not answer with an AgentOS run (a JSON object): ${excerpt(response.text)}`,
          {
            retryable: false,
          },
        );
      }
      const run = answer as { content?: unknown; session_id?: unknown; run_id?: unknown; status?: unknown };
      if (typeof run.status === 'string' && ['ERROR', 'CANCELLED'].includes(run.status.toUpperCase())) {
        throw new RunFailure(
          'assistant_error',
          `the AgentOS run ended ${run.status}: ${excerpt(agentMessage(run.content))}`,
          {
            retryable: false,
            details: { agentos_run_id: run.run_id ?? null, status: run.status },
          },
        );
      }
      const remoteId = typeof run.session_id === 'string' && run.session_id ? run.session_id : sessionId;
      if (remoteId && context.remoteSession) await context.remoteSession.keep(remoteId);
      await context.emit('agentos.run', {
        run_id: run.run_id ?? null,
        session_id: remoteId ?? null,
        status: run.status ?? null,
      });
      return { output: run.content ?? null };
    },
  };
}
