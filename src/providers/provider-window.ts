/**
 * What the provider limits count, as pure functions: a request's estimated tokens, and how long
 * an answer asks Kairos to wait.
 */

/** The window `rpm` and `tpm` count over: any 60 seconds (sliding). */
export const providerWindowMs = 60_000;

/** How long a 429 without a usable Retry-After pauses its provider. */
export const defaultPauseMs = 5_000;

/** The longest pause an answer can ask for (a day): a wrong header must not stop a provider for ever. */
const maxPauseMs = 86_400_000;

/**
 * The tokens a chat request will use, estimated before it is sent: its messages and tools at
 * four characters a token, plus `max_tokens` (the most the answer may add) when given. Corrected
 * from the answer's `usage` once it arrives.
 */
export function estimateTokens(body: Record<string, unknown>): number {
  const prompt = JSON.stringify([body.messages ?? null, body.tools ?? null]).length;
  const answer = typeof body.max_tokens === 'number' && body.max_tokens > 0 ? body.max_tokens : 0;
  return Math.ceil(prompt / 4) + answer;
}

/**
 * How long to pause a provider after an error answer, in ms, or undefined when the answer asks
 * for no pause: a 429 (its Retry-After, else {@link defaultPauseMs}), or a 503 with Retry-After.
 * Retry-After is seconds or an HTTP date.
 */
export function pauseAfter(status: number, retryAfter: string | undefined, now: number): number | undefined {
  const asked = parseRetryAfter(retryAfter, now);
  if (status === 429) return Math.min(asked ?? defaultPauseMs, maxPauseMs);
  if (status === 503 && asked !== undefined) return Math.min(asked, maxPauseMs);
  return undefined;
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
