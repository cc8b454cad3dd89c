import { jsonDepth, maxJsonDepth, unstorableValue } from '../store/storable-json.ts';

/** A delivery's body as templates see it, or why it cannot be read. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; reason: string };

/** The first problem that keeps a parsed body from being stored as a run's input, as a reason. */
function unstorableReason(value: unknown): string | undefined {
  const problem = unstorableValue(value);
  // JSON.stringify writes the field's own NUL or surrogate as an escape, so the reason can be stored.
  return problem && `${JSON.stringify(problem.field)}: ${problem.problem}`;
}

const tooDeep = `the body nests arrays and objects more than ${maxJsonDepth} levels deep`;

/**
 * Reads a raw delivery body by its content type: JSON (`application/json`, `…+json`, or no type
 * with a JSON-looking body) to its value, `application/x-www-form-urlencoded` to an object of
 * fields (a field `payload` holding JSON, GitHub's form delivery, is parsed too), anything else
 * as text. An empty body is null. A body the run's input could not hold (nested past 64 levels,
 * a NUL character, a lone surrogate, a `__proto__` key) is refused like broken JSON.
 */
export function parseEventBody(body: Buffer, contentType: string | undefined): ParsedBody {
  const parsed = readEventBody(body, contentType);
  if (!parsed.ok) return parsed;
  const reason = unstorableReason(parsed.value);
  return reason ? { ok: false, reason } : parsed;
}

function readEventBody(body: Buffer, contentType: string | undefined): ParsedBody {
  if (body.length === 0) return { ok: true, value: null };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  const looksJson = type === '' && /^\s*[[{"]/.test(text);
  if (type === 'application/json' || type.endsWith('+json') || looksJson) {
    if (jsonDepth(text, maxJsonDepth) > maxJsonDepth) return { ok: false, reason: tooDeep };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      return { ok: false, reason: `the body is not valid JSON (${(error as Error).message})` };
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(text));
    if (typeof fields.payload === 'string') {
      if (jsonDepth(fields.payload, maxJsonDepth) > maxJsonDepth) return { ok: false, reason: tooDeep };
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
export function deliveryKeyOf(
  headers: Readonly<Record<string, string>>,
  configuredHeader: string | null,
): string | undefined {
  for (const name of [configuredHeader, 'x-github-delivery', 'idempotency-key']) {
    const value = name ? headers[name]?.trim() : undefined;
    if (value) return value.slice(0, 500);
  }
  return undefined;
}
