/**
 * The local HTTP receiver that Kairos's `http` assistant POSTs to in the benchmarks (and the POST
 * floor is measured against): keep-alive, answers `{"ok":true}` at once, hands each parsed body
 * and its arrival time to `onBody`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

export async function startReceiver(onBody: (body: Record<string, unknown>, at: number) => void): Promise<Receiver> {
  const server = createServer((req, res) => {
    const at = Date.now();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      onBody(JSON.parse(body || '{}') as Record<string, unknown>, at);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
