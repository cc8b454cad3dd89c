/** A delivery's body as templates see it, or why it cannot be read. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Reads a raw delivery body by its content type: JSON (`application/json`, `…+json`, or no type
 * with a JSON-looking body) to its value, `application/x-www-form-urlencoded` to an object of
 * fields (a field `payload` holding JSON, GitHub's form delivery, is parsed too), anything else
 * as text. An empty body is null.
 */
export function parseEventBody(body: Buffer, contentType: string | undefined): ParsedBody {
  if (body.length === 0) return { ok: true, value: null };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  const looksJson = type === '' && /^\s*[[{"]/.test(text);
  if (type === 'application/json' || type.endsWith('+json') || looksJson) {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      return { ok: false, reason: `the body is not valid JSON (${(error as Error).message})` };
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(text));
    if (typeof fields.payload === 'string') {
      try {
        fields.payload = JSON.parse(fields.payload) as unknown;
      } catch {
        // not JSON: kept as text
      }
    }
    return { ok: true, value: fields };
  }
  return { ok: true, value: text };
}

/**
 * The sender's delivery id, which refuses replays: the trigger's configured header first, then
 * `X-GitHub-Delivery`, then `Idempotency-Key`. Undefined when none is sent (no replay guard).
 */
export function deliveryKeyOf(headers: Readonly<Record<string, string>>, configuredHeader: string | null): string | undefined {
  for (const name of [configuredHeader, 'x-github-delivery', 'idempotency-key']) {
    const value = name ? headers[name]?.trim() : undefined;
    if (value) return value.slice(0, 500);
  }
  return undefined;
}
