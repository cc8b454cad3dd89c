import { isSecretKey } from './assistant-config.ts';
import { isEnvReference, type EnvReference } from './env-reference.ts';
import type { RunContext } from './runtime.ts';

/** One request an assistant runtime sent and what came back, as a "test call" shows it. */
export interface AgentExchange {
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  /** The transport error, when no answer came. */
  error?: string;
}

const maxBody = 64 * 1024;

function clip(text: string): string {
  return text.length > maxBody ? `${text.slice(0, maxBody)}… (${text.length - maxBody} more characters)` : text;
}

/**
 * Headers with every secret value replaced by `[redacted]`: those configured as `{"env": NAME}`
 * and any whose name looks like a credential (Authorization, X-Api-Key, Cookie, …).
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
  configured: Record<string, string | EnvReference> | undefined,
): Record<string, string> {
  const fromEnv = new Set(
    Object.entries(configured ?? {})
      .filter(([, value]) => isEnvReference(value))
      .map(([name]) => name.toLowerCase()),
  );
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    shown[lower] =
      fromEnv.has(lower) || isSecretKey(lower) || lower === 'set-cookie'
        ? '[redacted]'
        : Array.isArray(value)
          ? value.join(', ')
          : value;
  }
  return shown;
}

/** Reports an exchange to the caller that asked for them (a test call); nothing otherwise. */
export function reportExchange(
  context: Pick<RunContext, 'onExchange'>,
  configured: Record<string, string | EnvReference> | undefined,
  request: { method: string; url: URL; headers: Record<string, string>; body: string },
  outcome:
    { status: number; headers: Record<string, string | string[] | undefined>; text: string } | { error: unknown },
): void {
  if (!context.onExchange) return;
  const exchange: AgentExchange = {
    request: {
      method: request.method,
      url: request.url.toString(),
      headers: redactHeaders(request.headers, configured),
      body: clip(request.body),
    },
  };
  if ('error' in outcome)
    exchange.error = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  else
    exchange.response = {
      status: outcome.status,
      headers: redactHeaders(outcome.headers, undefined),
      body: clip(outcome.text),
    };
  context.onExchange(exchange);
}
