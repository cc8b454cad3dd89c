import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgents } from '../../src/agents/create-agents.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';
import { createTestDatabase, testDatabaseUrl, uniqueSchema, type TestDatabase } from '../helpers/databases.ts';
import { kairosBin } from '../helpers/kairos-process.ts';
import { callJson } from './mcp-client.ts';

/** `kairos mcp` as a subprocess, driven by the official SDK client over stdio. */
async function stdioClient(env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [kairosBin, 'mcp'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAIROS_LOG_LEVEL: 'warn', ...env },
  });
  const client = new Client({ name: 'kairos-workflow-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/**
 * What every transport and mode must do: the workflow is listed, a schedule that targets it is
 * created (not refused) and listed with its workflow_id.
 */
async function scheduleWorkflow(client: Client, workflowId: string): Promise<void> {
  const workflows = await callJson(client, 'list_workflows');
  expect(workflows.isError).toBe(false);
  expect(workflows.value.workflows.map((w: { id: string }) => w.id)).toEqual([workflowId]);

  const created = await callJson(client, 'create_schedule', {
    workflow_id: workflowId,
    name: 'nightly flow',
    schedule: { cron: '0 2 * * *', timezone: 'UTC' },
  });
  expect(created.value.error).toBeUndefined();
  expect(created.isError).toBe(false);
  expect(created.value).toMatchObject({
    name: 'nightly flow',
    workflow_id: workflowId,
    assistant_id: null,
    status: 'active',
  });

  const listed = await callJson(client, 'list_schedules', {});
  expect(listed.value.total).toBe(1);
  expect(listed.value.schedules).toEqual([
    expect.objectContaining({ id: created.value.id, workflow_id: workflowId, assistant_id: null }),
  ]);
}

describe('MCP: a schedule that targets a workflow, over every transport and mode', () => {
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.close();
  });

  describe('through a server (HTTP /mcp, and kairos mcp with KAIROS_URL)', () => {
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

    /** A member with an assistant and a workflow of one step over it. */
    async function memberWithWorkflow(): Promise<{ key: string; workflowId: string }> {
      const member = await api.caller('member');
      const assistant = await api.call('POST', '/api/v1/assistants', {
        key: member.key,
        body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
      });
      const assistantId = ((await assistant.json()) as { id: string }).id;
      const workflow = await api.call('POST', '/api/v1/workflows', {
        key: member.key,
        body: { name: 'flow', steps: [{ type: 'step', name: 'one', assistant_id: assistantId }] },
      });
      expect(workflow.status).toBe(201);
      return { key: member.key, workflowId: ((await workflow.json()) as { id: string }).id };
    }

    it('Streamable HTTP at /mcp', async () => {
      const { key, workflowId } = await memberWithWorkflow();
      const client = new Client({ name: 'kairos-workflow-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${key}` } },
        }),
      );
      clients.push(client);
      await scheduleWorkflow(client, workflowId);
    });

    it('kairos mcp on stdio through KAIROS_URL', async () => {
      const { key, workflowId } = await memberWithWorkflow();
      const client = await stdioClient({ KAIROS_URL: url, KAIROS_API_KEY: key });
      clients.push(client);
      await scheduleWorkflow(client, workflowId);
    });
  });

  describe('kairos mcp on stdio on the database (no KAIROS_URL)', () => {
    let test: TestDatabase;
    const schema = uniqueSchema('mcpwf');

    beforeAll(async () => {
      test = await createTestDatabase('postgres', { schema });
    });
    afterAll(() => test.close());

    it('creates and lists a schedule that targets a workflow of the key’s user', async () => {
      const member = await issueKeyDirect(test.db, { role: 'member', userName: 'stdio-workflows' });
      const assistant = await insertAssistant(test.db, {
        ownerId: member.user.id,
        name: 'digest',
        kind: 'http',
        config: { url: 'https://agent.example/run' },
      });
      const config = loadConfig({ KAIROS_LOG_LEVEL: 'silent' });
      const logger = createLogger('silent');
      const agents = await createAgents({ db: test.db, logger, config, ensureBuiltIns: false });
      const services = createServices(config, test.db, { clock: systemClock, logger, agents });
      const workflow = await services.workflows.create(
        { userId: member.user.id, role: 'member' },
        { name: 'flow', steps: [{ type: 'step', name: 'one', assistant_id: assistant.id }] },
      );
      await services.close();

      const client = await stdioClient({
        DATABASE_URL: testDatabaseUrl,
        KAIROS_DB_SCHEMA: schema,
        KAIROS_API_KEY: member.key,
      });
      clients.push(client);
      await scheduleWorkflow(client, workflow.id);
      const { rows } = await test.db.query<{ workflow_id: string }>('SELECT workflow_id FROM schedules');
      expect(rows).toEqual([{ workflow_id: workflow.id }]); // in the database itself
    });
  });
});
