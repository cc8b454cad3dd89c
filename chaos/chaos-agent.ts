import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the agent received: which run (its Idempotency-Key), which attempt, when. */
export interface Delivery {
  key: string;
  attempt: number;
  scheduleId: string | null;
  scheduledFor: number | null;
  receivedAt: number;
  /** The status the agent answered (500 for its deliberate failures). */
  status: number;
}

export interface ChaosAgent {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/**
 * The agent the chaos run schedules: answers after a random 0–`maxDelayMs` delay and fails a
 * share of requests with a 500 (retryable, so the run is retried with the same Idempotency-Key).
 * It records every delivery with the time it arrived: the lag a user would see.
 */
export async function startChaosAgent(options: {
  random: () => number;
  failureRate: number;
  maxDelayMs: number;
}): Promise<ChaosAgent> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: { attempt?: number; schedule_id?: string | null; scheduled_for?: string | null } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        // not a run body: recorded with what the headers say
      }
      const status = options.random() < options.failureRate ? 500 : 200;
      deliveries.push({
        key: String(req.headers['idempotency-key'] ?? ''),
        attempt: Number(body.attempt ?? 0),
        scheduleId: body.schedule_id ?? null,
        scheduledFor: body.scheduled_for ? Date.parse(body.scheduled_for) : null,
        receivedAt,
        status,
      });
      const timer = setTimeout(
        () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(status === 200 ? { ok: true } : { error: 'a deliberate failure of the chaos agent' }));
        },
        Math.floor(options.random() * options.maxDelayMs),
      );
      res.on('close', () => clearTimeout(timer));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
