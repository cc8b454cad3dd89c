import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';
import { createTestDatabase, testDatabaseUrl, uniqueSchema, type TestDatabase } from '../helpers/databases.ts';
import { kairosBin } from '../helpers/kairos-process.ts';
import { callJson, exerciseTools } from './mcp-client.ts';

/** `kairos mcp` as a subprocess, driven by the official SDK client over stdio. */
async function startStdio(env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [kairosBin, 'mcp'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAIROS_LOG_LEVEL: 'warn', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'kairos-stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe('kairos mcp over stdio', () => {
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.close();
  });

  describe('on the database directly (DATABASE_URL), as the user of KAIROS_API_KEY', () => {
    let test: TestDatabase;
    const schema = uniqueSchema('mcp');
    let env: Record<string, string>;
    let assistantId: string;
    let viewerKey: string;
    let otherKey: string;

    beforeAll(async () => {
      test = await createTestDatabase('postgres', { schema });
      const member = await issueKeyDirect(test.db, { role: 'member', userName: 'stdio-member' });
      viewerKey = (await issueKeyDirect(test.db, { role: 'viewer', userName: 'stdio-viewer' })).key;
      otherKey = (await issueKeyDirect(test.db, { role: 'member', userName: 'stdio-other' })).key;
      assistantId = (
        await insertAssistant(test.db, {
          ownerId: member.user.id,
          name: 'digest',
          kind: 'http',
          config: { url: 'https://agent.example/run' },
        })
      ).id;
      env = { DATABASE_URL: testDatabaseUrl, KAIROS_DB_SCHEMA: schema, KAIROS_API_KEY: member.key };
    });
    afterAll(() => test.close());

    it('lists tools, previews, creates, lists, refuses a bad cron as a tool result, pauses and deletes', async () => {
      const { client } = await startStdio(env);
      clients.push(client);
      await exerciseTools(client, assistantId);
      const { rows } = await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schedules');
      expect(rows[0]!.n).toBe(0); // created and deleted in the database itself
    });

    it("a viewer's key lists but cannot create; another member sees none of the member's schedules", async () => {
      const { client: member } = await startStdio(env);
      clients.push(member);
      const mine = await callJson(member, 'create_schedule', { assistant_id: assistantId, schedule: '@daily' });
      expect(mine.isError).toBe(false);

      const { client: viewer } = await startStdio({ ...env, KAIROS_API_KEY: viewerKey });
      clients.push(viewer);
      expect((await callJson(viewer, 'list_schedules')).value.total).toBe(0);
      const refused = await callJson(viewer, 'create_schedule', { assistant_id: assistantId, schedule: '@daily' });
      expect(refused).toMatchObject({ isError: true, value: { error: { code: 'forbidden' } } });

      const { client: other } = await startStdio({ ...env, KAIROS_API_KEY: otherKey });
      clients.push(other);
      expect((await callJson(other, 'list_schedules')).value.total).toBe(0);
      expect((await callJson(other, 'get_schedule', { schedule_id: mine.value.id })).value.error.code).toBe(
        'not_found',
      );
    });
  });

  describe('against a server (KAIROS_URL)', () => {
    let api: ApiHarness;
    let server: ServerType;
    let url: string;

    beforeAll(async () => {
      api = await createApiHarness('pglite', {}, { services: true });
      server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    });

    it('runs the same walk through POST /api/v1/tools/{name} with the key', async () => {
      const member = await api.caller('member');
      const created = await api.call('POST', '/api/v1/assistants', {
        key: member.key,
        body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
      });
      const { id } = (await created.json()) as { id: string };
      const { client } = await startStdio({ KAIROS_URL: url, KAIROS_API_KEY: member.key });
      clients.push(client);
      await exerciseTools(client, id);
    });

    it('a wrong key comes back as an unauthorized tool result', async () => {
      await api.caller('member'); // keys exist: no local mode
      const { client } = await startStdio({ KAIROS_URL: url, KAIROS_API_KEY: 'kairos_wrong' });
      clients.push(client);
      expect(await callJson(client, 'list_schedules')).toMatchObject({
        isError: true,
        value: { error: { code: 'unauthorized' } },
      });
    });
  });
});
