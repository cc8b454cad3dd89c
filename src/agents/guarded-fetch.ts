import type { AddressGuard } from './address-guard.ts';
import { postOutbound, type OutboundMethod } from './outbound-request.ts';

const methods: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

function headerRecord(headers: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  const record: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

async function bodyText(body: ConstructorParameters<typeof Response>[0]): Promise<string> {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body;
  return new Response(body).text();
}

/**
 * A `fetch` for third-party clients (the A2A SDK) that goes through the outbound-address guard
 * like every other assistant request: the address checked is the address connected to, redirects
 * are not followed, and `signal` (the run's) aborts every request it makes. Answers are read
 * whole (no streaming), which is all the callers here need.
 */
export function createGuardedFetch(guard: AddressGuard, signal: AbortSignal): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    if (!methods.has(method)) throw new TypeError(`method ${method} is not supported for outbound requests`);
    const headers = { ...headerRecord(request?.headers), ...headerRecord(init?.headers) };
    const body = init?.body !== undefined ? await bodyText(init.body) : request ? await request.text() : '';
    const signals = [signal, init?.signal, request?.signal].filter(
      (entry): entry is AbortSignal => entry instanceof AbortSignal,
    );
    const response = await postOutbound({
      method: method as OutboundMethod,
      url,
      headers,
      body,
      signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals),
      guard,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
    }
    const empty = response.status === 204 || response.status === 304 || method === 'HEAD';
    // Response refuses statuses outside 200-599; a 1xx final status is not a real answer anyway.
    const status = response.status >= 200 && response.status <= 599 ? response.status : 502;
    return new Response(empty ? null : response.text, { status, headers: responseHeaders });
  };
}
