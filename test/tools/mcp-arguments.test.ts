import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';

// The official MCP client, as an MCP inspector or an agent framework would use it.
describe('MCP: object arguments sent as JSON strings, typed schemas, structured results (postgres)', () => {
  let api: ApiHarness;
  let server: ServerType;
  let client: Client;
  let member: Caller;
  let assistantId: string;

  beforeAll(async () => {
    api = await createApiHarness('postgres', {}, { services: true });
    member = await api.caller('member');
    const created = await api.call('POST', '/api/v1/assistants', {
      key: member.key,
      body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await created.json()) as { id: string }).id;
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    client = new Client({ name: 'kairos-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${member.key}` } } }),
    );
  });
  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.close();
  });

  it('gives every property of every tool a type', async () => {
    const { tools } = await client.listTools();
    const untyped: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, property] of Object.entries(properties ?? {})) {
        if (property.type === undefined) untyped.push(`${path}.${key}`);
        walk(property, `${path}.${key}`);
      }
    };
    for (const tool of tools) walk(tool.inputSchema as Record<string, unknown>, tool.name);
    expect(tools.length).toBeGreaterThan(10);
    expect(untyped).toEqual([]);
    const create = tools.find((tool) => tool.name === 'create_schedule')!;
    const schedule = (create.inputSchema.properties as Record<string, { type: unknown }>).schedule!;
    expect(schedule.type).toEqual(['string', 'object']);
  });

  it('accepts an object argument sent as a JSON string, and returns structuredContent', async () => {
    const result = await client.callTool({
      name: 'create_schedule',
      arguments: {
        assistant_id: assistantId,
        name: 'json-string',
        schedule: '{"cron": "0 9 * * 1-5", "timezone": "Europe/Paris"}',
        metadata: '{"team": "docs"}',
      },
    });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { name: string; schedule: unknown; metadata: unknown };
    expect(structured).toMatchObject({
      name: 'json-string',
      schedule: { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' },
      metadata: { team: 'docs' },
    });
    const content = result.content as Array<{ type: string; text: string }>;
    expect(JSON.parse(content[0]!.text)).toEqual(structured);
    // A string argument stays a string where strings are valid (a template given as text).
    const templated = await client.callTool({
      name: 'create_schedule',
      arguments: {
        assistant_id: assistantId,
        name: 'text-template',
        schedule: '0 9 * * *',
        input_template: '{"task": "Report for {{date}}", "n": {{run_number}}}',
      },
    });
    expect((templated.structuredContent as { input_template: unknown }).input_template).toBe(
      '{"task": "Report for {{date}}", "n": {{run_number}}}',
    );
    const listed = await client.callTool({ name: 'list_assistants', arguments: {} });
    expect(listed.structuredContent).toBeTypeOf('object');
  });

  it('names the argument when a JSON string does not parse (not "schedule.cron: minute …")', async () => {
    const result = await client.callTool({
      name: 'create_schedule',
      arguments: { assistant_id: assistantId, schedule: '{"cron": "0 9 * * *", timezone: Europe/Paris}' },
    });
    expect(result.isError).toBe(true);
    const error = (result.structuredContent as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(
      /^schedule: a string that looks like JSON but does not parse \(.+\); send schedule as a JSON object, not a string$/,
    );
  });
});
