import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAddressGuard, type AddressGuard } from '../../src/agents/address-guard.ts';
import { postOutbound } from '../../src/agents/outbound-request.ts';

// Outbound requests share keep-alive connections per guard; the guard still decides every connect.
describe('outbound keep-alive', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  const send = (guard: AddressGuard, url: string) =>
    postOutbound({
      url: new URL(url),
      headers: { 'content-type': 'application/json' },
      body: '{"n":1}',
      signal: new AbortController().signal,
      guard,
    });

  async function countingServer(): Promise<{ port: number; connections: () => number }> {
    let connections = 0;
    const server: Server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => {
        server.closeAllConnections();
        server.close();
      },
    });
    return { port: (server.address() as AddressInfo).port, connections: () => connections };
  }

  it('sends one request after another over one connection', async () => {
    const { port, connections } = await countingServer();
    const guard = createAddressGuard({ allowPrivate: true, allowHosts: [] });
    for (let i = 0; i < 5; i++) expect((await send(guard, `http://127.0.0.1:${port}/run`)).status).toBe(200);
    expect(connections()).toBe(1);
  });

  it('does not lend a connection checked by one guard to a stricter one: the stricter guard refuses', async () => {
    const { port, connections } = await countingServer();
    const resolveAll = async () => [{ address: '127.0.0.1', family: 4 }];
    const lenient = createAddressGuard({ allowPrivate: false, allowHosts: ['agent.test'], resolveAll });
    const strict = createAddressGuard({ allowPrivate: false, allowHosts: [], resolveAll });
    expect((await send(lenient, `http://agent.test:${port}/run`)).status).toBe(200);
    await expect(send(strict, `http://agent.test:${port}/run`)).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    expect(connections()).toBe(1);
  });

  it('sends again on a new connection when the server resets the idle one it reused', async () => {
    // A raw server: answers the first request of each connection, resets the connection on the second.
    const sockets: Socket[] = [];
    const server = createTcpServer((socket) => {
      sockets.push(socket);
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.toString().includes('{"n":1}')) return;
        if (++requests === 1)
          socket.write(
            'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}',
          );
        else socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => {
        for (const socket of sockets) socket.destroy();
        server.close();
      },
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`;
    const guard = createAddressGuard({ allowPrivate: true, allowHosts: [] });
    expect((await send(guard, url)).text).toBe('{"ok":true}');
    const again = await send(guard, url);
    expect(again.text).toBe('{"ok":true}');
    expect(sockets).toHaveLength(2);
  });
});
