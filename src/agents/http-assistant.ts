import type { AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { RunFailure } from './runtime.ts';

const excerptLength = 500;

function excerpt(text: string): string {
  return text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text;
}

/**
 * The `http` kind: POSTs the run to `config.url` with the configured headers and
 * `Idempotency-Key: <run id>`. A 2xx answer is success, its body (JSON or text) the output.
 */
export function httpAssistantRuntime(): AssistantRuntime {
  return {
    kind: 'http',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const url = assistant.config.url;
      if (typeof url !== 'string') {
        throw new RunFailure('config', `assistant ${assistant.id} has no config.url`, { retryable: false });
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/plain;q=0.9, */*;q=0.1' };
      for (const [name, value] of Object.entries((assistant.config.headers as Record<string, unknown>) ?? {})) {
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
      }
      headers['idempotency-key'] = context.runId;
      const body = JSON.stringify({
        run_id: context.runId,
        schedule_id: context.scheduleId,
        scheduled_for: context.scheduledFor?.toISOString() ?? null,
        trigger: context.trigger,
        run_number: context.runNumber,
        attempt: context.attempt,
        thread_id: context.threadId,
        input: context.input,
      });
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body, signal: context.signal });
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new RunFailure('assistant_error', `POST ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`, {
          cause: error,
        });
      }
      const text = await response.text();
      if (!response.ok) {
        throw new RunFailure('assistant_error', `POST ${url} answered ${response.status}: ${excerpt(text)}`, {
          details: { status: response.status },
        });
      }
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('json') && text.length > 0) {
        try {
          return { output: JSON.parse(text) as unknown };
        } catch {
          return { output: text };
        }
      }
      return { output: text };
    },
  };
}
