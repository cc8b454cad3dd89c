/** The local HTTP receiver that Kairos's `http` assistant POSTs to, and the POST floor is measured against. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Start } from './workload.ts';

export interface Receiver { url: string; starts: Start[]; close(): Promise<void> }

export async function startReceiver(): Promise<Receiver> {
  const starts: Start[] = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const run = JSON.parse(body) as { schedule_id?: string; scheduled_for?: string; floor?: boolean };
      if (!run.floor && run.schedule_id && run.scheduled_for) starts.push({ key: run.schedule_id, nominal: Date.parse(run.scheduled_for), at });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    starts,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
