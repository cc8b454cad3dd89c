import type { Assistant } from '../store/assistants.ts';
import { inSpan, SpanKind } from './tracing.ts';

/** The token usage an assistant call reports (a RunResult's `usage`). */
interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  model?: string;
}

/**
 * One span per assistant call. An `llm` call follows the OpenTelemetry GenAI conventions
 * (`chat {model}`, `gen_ai.*` model and token attributes); other kinds are `invoke_agent {name}`,
 * with their outbound request as a client span inside.
 */
export function inAssistantSpan<Result extends { usage?: TokenUsage | undefined }>(
  assistant: Assistant,
  call: () => Promise<Result>,
): Promise<Result> {
  const base = { 'kairos.assistant.id': assistant.id, 'kairos.assistant.kind': assistant.kind };
  if (assistant.kind !== 'llm') {
    return inSpan(
      `invoke_agent ${assistant.name}`,
      { attributes: { ...base, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': assistant.name } },
      call,
    );
  }
  const model = typeof assistant.config.model === 'string' ? assistant.config.model : 'unknown';
  const attributes = {
    ...base,
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
  };
  return inSpan(`chat ${model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const result = await call();
    const usage = result.usage;
    if (usage?.model) span.setAttribute('gen_ai.response.model', usage.model);
    if (usage?.prompt_tokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.prompt_tokens);
    if (usage?.completion_tokens !== undefined)
      span.setAttribute('gen_ai.usage.output_tokens', usage.completion_tokens);
    return result;
  });
}
