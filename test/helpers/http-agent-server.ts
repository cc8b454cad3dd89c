import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the agent received. */
export interface AgentRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface AgentReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (until the client gives up or the server closes). */
  hang?: boolean;
}

export type AgentHandler = (request: AgentRequest) => AgentReply | Promise<AgentReply>;

export interface HttpAgentServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: AgentRequest[];
  /** Replaces how the agent answers (default: 200 `{ ok: true, echo: input }`). */
  handle(handler: AgentHandler): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<AgentRequest[]>;
  close(): Promise<void>;
}

/** A stand-in for an agent endpoint elsewhere (an AgentOS, a LangGraph server, a webhook), on 127.0.0.1. */
export async function startHttpAgentServer(handler?: AgentHandler): Promise<HttpAgentServer> {
  let current: AgentHandler =
    handler ??
    ((request) => ({ body: { ok: true, echo: (request.body as { input?: unknown } | null)?.input ?? null } }));
  const requests: AgentRequest[] = [];
  const waiters: Array<() => void> = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // keep the text
      }
      const request: AgentRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(request);
      for (const wake of waiters.splice(0)) wake();
      void Promise.resolve(current(request)).then((reply) => {
        if (reply.hang) {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null);
        const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
        res.end(payload);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      current = next;
    },
    async waitForRequests(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
