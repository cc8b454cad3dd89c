import type { ProviderLimits } from '../providers/provider-limits.ts';
import { estimateTokens, pauseAfter } from '../providers/provider-window.ts';
import { RunFailure } from '../runs/run-failure.ts';
import type { Provider } from '../store/providers.ts';
import type { ChatExchange } from './llm-assistant.ts';
import type { Assistant } from './runtime.ts';

/** The provider an assistant names, or a `config` failure when it is gone. */
export async function assistantProvider(limits: ProviderLimits, assistant: Assistant): Promise<Provider | undefined> {
  if (!assistant.provider) return undefined;
  const provider = await limits.find(assistant.ownerId, assistant.provider);
  if (!provider) {
    throw new RunFailure('config', `provider "${assistant.provider}" no longer exists: name another one, or none`, {
      retryable: false,
      details: { provider: assistant.provider },
    });
  }
  return provider;
}

/** An llm assistant's config with its provider's base URL and key in place of its own. */
export function configWithProvider(assistant: Assistant, provider: Provider): Assistant {
  const config: Record<string, unknown> = { ...assistant.config, base_url: provider.baseUrl };
  if (provider.apiKey) config.api_key = provider.apiKey;
  return { ...assistant, config };
}

/**
 * Each model call under the provider's shared limits (docs/gates.md "Providers"): it waits until
 * the provider's window admits one more request of its estimated tokens, records them (corrected
 * from the answer's `usage`), and a 429 (or a 503 with Retry-After) pauses the provider for every
 * run and hands this run back to run again after the pause, without using an attempt.
 */
export function limitedExchange(
  exchange: ChatExchange,
  limits: ProviderLimits,
  provider: Provider,
  signal: AbortSignal,
): ChatExchange {
  return async (body) => {
    const estimate = estimateTokens(body);
    const settle = await limits.reserve(provider, estimate, signal);
    try {
      const answer = await exchange(body);
      await settle(answer.usage?.total_tokens);
      return answer;
    } catch (error) {
      const details = error instanceof RunFailure ? (error.details as { status?: unknown; retry_after?: unknown }) : {};
      const status = typeof details?.status === 'number' ? details.status : undefined;
      const now = limits.now();
      const pauseMs =
        status === undefined
          ? undefined
          : pauseAfter(status, typeof details.retry_after === 'string' ? details.retry_after : undefined, now);
      if (pauseMs === undefined || !(error instanceof RunFailure)) throw error;
      const until = now + pauseMs;
      await limits.pause(provider, until);
      throw new RunFailure(
        error.kind,
        `${error.message} (provider "${provider.name}" paused until ${new Date(until).toISOString()}; the run starts again then)`,
        { retryable: error.retryable, details: error.details, requeueAt: until, cause: error },
      );
    }
  };
}
