import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { AddressGuard } from './address-guard.ts';
import { bareHost } from './address-guard.ts';
import { outboundAgent } from './outbound-agents.ts';
import { inSpan, SpanKind, SpanStatusCode, withTraceHeaders } from '../observability/tracing.ts';

export interface OutboundResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/** The methods outbound requests use (http assistants' `method`, agent-server protocols). */
export type OutboundMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  /** Default POST. */
  method?: OutboundMethod;
  url: URL;
  headers: Record<string, string>;
  /** Sent as is; none for GET. */
  body: string;
  signal: AbortSignal;
  guard: AddressGuard;
  /** Larger answers are cut off with an error (default 10 MiB). */
  maxResponseBytes?: number;
}

const defaultMaxResponseBytes = 10 * 1024 * 1024;

/**
 * Sends a request through node:http(s) with the guard's `lookup`, so the address checked is the
 * address connected to, over a keep-alive connection pool of that guard (see outbound-agents.ts).
 * A request whose reused idle connection the server had just closed (reset before any answer) is
 * sent once more on a new connection. Redirects are not followed (a redirect could lead anywhere); a 3xx is
 * returned like any other status. Rejects with the signal's reason when aborted. With tracing on,
 * the request is a client span and carries its W3C `traceparent`, so the agent's spans join the trace.
 */
export function postOutbound(request: OutboundRequest): Promise<OutboundResponse> {
  const method = request.method ?? 'POST';
  const attributes = {
    'http.request.method': method,
    'url.full': `${request.url.origin}${request.url.pathname}`,
    'server.address': request.url.hostname,
  };
  return inSpan(method, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const response = await sendRequest({ ...request, headers: withTraceHeaders(request.headers) });
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `answered ${response.status}` });
    return response;
  });
}

async function sendRequest(request: OutboundRequest): Promise<OutboundResponse> {
  const { url, signal, guard } = request;
  const host = bareHost(url.hostname);
  if (isIP(host) && !guard.isAllowed(host)) await guard.checkUrl(url);
  if (signal.aborted) throw signal.reason;
  try {
    return await sendOnce(request, host);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return sendOnce(request, host).catch((again: unknown) => {
      throw again instanceof StaleSocketError ? again.cause : again;
    });
  }
}

/** A reused keep-alive socket was reset before any answer: the server closed it as we sent. */
class StaleSocketError extends Error {}

function sendOnce(request: OutboundRequest, host: string): Promise<OutboundResponse> {
  const { url, signal, guard } = request;
  const limit = request.maxResponseBytes ?? defaultMaxResponseBytes;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const method = request.method ?? 'POST';
  const body = method === 'GET' ? Buffer.alloc(0) : Buffer.from(request.body);
  const headers: Record<string, string> = { ...request.headers };
  if (method !== 'GET') headers['content-length'] = String(body.length);

  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const req = send(
      url,
      {
        method,
        headers,
        agent: outboundAgent(guard, url.protocol),
        lookup: isIP(host) ? undefined : guard.lookup(host),
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            res.destroy();
            finish(() => reject(new Error(`the answer exceeded ${limit} bytes`)));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          finish(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
        res.on('error', (error) => finish(() => reject(signal.aborted ? signal.reason : error)));
      },
    );
    const onAbort = () => {
      req.destroy();
      finish(() => reject(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const stale =
        req.reusedSocket && !answered && !signal.aborted && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      finish(() =>
        reject(stale ? new StaleSocketError(error.message, { cause: error }) : signal.aborted ? signal.reason : error),
      );
    });
    req.end(method === 'GET' ? undefined : body);
  });
}

/** The most useful short description of a network error (its code, or the cause's message). */
export function describeNetworkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.code === 'EPRIVATEADDRESS') return err.message ?? 'private address refused';
  const code = err?.code ?? err?.cause?.code;
  const message = err?.message ?? err?.cause?.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
