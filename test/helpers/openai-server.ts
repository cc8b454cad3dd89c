import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    model?: unknown;
    messages?: Array<{ role: string; content: string }>;
    temperature?: unknown;
    max_tokens?: unknown;
  };
}

/** How the fake provider answers the next requests. */
export type ProviderMode =
  | { kind: 'answer'; reply?: (request: ChatRequest) => string }
  | { kind: 'fail'; status: number; message?: string; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface OpenAiServer {
  /** The `base_url` to configure: `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  requests: ChatRequest[];
  /** Requests whose shape was wrong, with what was wrong (answered 400). */
  shapeErrors: string[];
  setMode(mode: ProviderMode): void;
  close(): Promise<void>;
}

const validRoles = new Set(['system', 'user', 'assistant', 'tool']);

/** What is wrong with a chat-completions request body, or undefined. */
function shapeError(body: ChatRequest['body']): string | undefined {
  if (typeof body !== 'object' || body === null) return 'body is not a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'model must be a non-empty string';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages must be a non-empty array';
  for (const [index, message] of body.messages.entries()) {
    if (!validRoles.has(message.role)) return `messages[${index}].role "${message.role}" is not a chat role`;
    if (typeof message.content !== 'string') return `messages[${index}].content must be a string`;
  }
  if (body.messages.at(-1)?.role !== 'user') return 'the last message must be the user message';
  return undefined;
}

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that checks the request shape and
 * answers, fails (with OpenAI's error body) or hangs, as told. The default reply names the model
 * and the number of messages it saw, so tests can tell what was sent.
 */
export async function startOpenAiServer(): Promise<OpenAiServer> {
  let mode: ProviderMode = { kind: 'answer' };
  const requests: ChatRequest[] = [];
  const shapeErrors: string[] = [];
  const hanging = new Set<ServerResponse>();
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return json(res, 404, {
          error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' },
        });
      }
      let body: ChatRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest['body'];
      } catch {
        shapeErrors.push('body is not JSON');
        return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      }
      const request: ChatRequest = { path: req.url, headers: req.headers, body };
      requests.push(request);
      const problem = shapeError(body);
      if (problem) {
        shapeErrors.push(problem);
        return json(res, 400, { error: { message: problem, type: 'invalid_request_error' } });
      }
      if (mode.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (mode.kind === 'fail') {
        return json(
          res,
          mode.status,
          { error: { message: mode.message ?? `failure ${mode.status}`, type: 'api_error' } },
          mode.headers,
        );
      }
      const content = mode.reply
        ? mode.reply(request)
        : `reply from ${String(body.model)} to ${body.messages!.length} messages`;
      json(res, 200, {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: 10 * body.messages!.length,
          completion_tokens: 5,
          total_tokens: 10 * body.messages!.length + 5,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    shapeErrors,
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
