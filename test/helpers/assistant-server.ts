import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake assistant received. */
export interface ReceivedRequest {
  at: number;
  headers: IncomingMessage['headers'];
  body: {
    run_id: string;
    schedule_id: string | null;
    scheduled_for: string | null;
    trigger: string;
    run_number: number | null;
    attempt: number;
    thread_id: string | null;
    input: unknown;
  };
}

/** How to answer one request: ok after `delayMs`, fail with `status`, or never answer (`hang`). */
export type Behaviour =
  | { kind: 'ok'; delayMs?: number; output?: unknown }
  | { kind: 'fail'; status: number; delayMs?: number }
  | { kind: 'hang' };

export interface AssistantServer {
  url: string;
  requests: ReceivedRequest[];
  /** Decides each answer; the default answers 200 `{ ok: true }` at once. */
  behave(decide: (request: ReceivedRequest, index: number) => Behaviour): void;
  /** Requests currently open (being delayed or hanging). */
  open(): number;
  close(): Promise<void>;
}

/**
 * A local HTTP assistant for tests: records every request and answers as told (slow, failing,
 * hanging). Hanging requests end when the client aborts or the server closes.
 */
export async function startAssistantServer(): Promise<AssistantServer> {
  const requests: ReceivedRequest[] = [];
  let decide: (request: ReceivedRequest, index: number) => Behaviour = () => ({ kind: 'ok' });
  const sockets = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        at: Date.now(),
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as ReceivedRequest['body'],
      };
      requests.push(request);
      const behaviour = decide(request, requests.length - 1);
      sockets.add(res);
      res.on('close', () => sockets.delete(res));
      if (behaviour.kind === 'hang') return;
      const answer = () => {
        if (behaviour.kind === 'ok') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(behaviour.output ?? { ok: true, run_id: request.body.run_id }));
        } else {
          res.writeHead(behaviour.status, { 'content-type': 'text/plain' });
          res.end(`failure ${behaviour.status}`);
        }
      };
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/run`,
    requests,
    behave(next) {
      decide = next;
    },
    open: () => sockets.size,
    async close() {
      for (const res of sockets) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
