import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { callJson, exerciseTools } from './mcp-client.ts';

describe.each(databaseKinds)('MCP over Streamable HTTP at /mcp on %s', (kind) => {
  let api: ApiHarness;
  let server: ServerType;
  let url: URL;
  let member: Caller;
  let other: Caller;
  let viewer: Caller;
  let assistantId: string;
  const clients: Client[] = [];

  async function connect(key: string | undefined, headers: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: 'kairos-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { ...headers, ...(key !== undefined && { authorization: `Bearer ${key}` }) } },
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    api = await createApiHarness(kind, {}, { services: true });
    member = await api.caller('member');
    other = await api.caller('member');
    viewer = await api.caller('viewer');
    const created = await api.call('POST', '/api/v1/assistants', {
      key: member.key,
      body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
    });
    expect(created.status).toBe(201);
    assistantId = ((await created.json()) as { id: string }).id;
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.close();
  });

  it('lists the tools, previews, creates, lists, refuses a bad cron as a tool result, pauses and deletes', async () => {
    await exerciseTools(await connect(member.key), assistantId);
  });

  it('refuses a missing or wrong key with 401 before any MCP exchange', async () => {
    await expect(connect(undefined)).rejects.toThrow(/401|unauthorized/i);
    await expect(connect('kairos_wrong')).rejects.toThrow(/401|unauthorized/i);
  });

  it("lets a viewer list but not create; another member's schedules are invisible to them", async () => {
    const mine = await callJson(await connect(member.key), 'create_schedule', {
      assistant_id: assistantId,
      name: 'mine',
      schedule: '*/5 * * * *',
    });
    expect(mine.isError).toBe(false);

    const asViewer = await connect(viewer.key);
    const viewerList = await callJson(asViewer, 'list_schedules');
    expect(viewerList).toMatchObject({ isError: false, value: { total: 0 } });
    const viewerCreate = await callJson(asViewer, 'create_schedule', {
      assistant_id: assistantId,
      schedule: '*/5 * * * *',
    });
    expect(viewerCreate.isError).toBe(true);
    expect(viewerCreate.value.error.code).toBe('forbidden');

    const asOther = await connect(other.key);
    expect((await callJson(asOther, 'list_schedules')).value).toMatchObject({ schedules: [], total: 0 });
    for (const name of ['get_schedule', 'pause_schedule', 'delete_schedule', 'get_schedule_runs']) {
      const attempt = await callJson(asOther, name, { schedule_id: mine.value.id });
      expect(attempt.isError).toBe(true);
      expect(attempt.value.error.code).toBe('not_found');
    }
    // Another member's assistant cannot be targeted either.
    const theirs = await callJson(asOther, 'create_schedule', { assistant_id: assistantId, schedule: '*/5 * * * *' });
    expect(theirs.value.error.code).toBe('not_found');
    // Nothing of theirs changed.
    const after = await callJson(await connect(member.key), 'get_schedule', { schedule_id: mine.value.id });
    expect(after.value.status).toBe('active');
  });

  it('answers GET and DELETE with 405: the endpoint is stateless', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${member.key}`, accept: 'text/event-stream' },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    }
  });

  it('refuses a request from a foreign browser origin (DNS rebinding)', async () => {
    await expect(connect(member.key, { origin: 'http://evil.example' })).rejects.toThrow(/403|forbidden_origin/);
  });
});
