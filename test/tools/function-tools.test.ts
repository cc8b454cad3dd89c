import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from '../api/harness.ts';
import { expectedTools } from './mcp-client.ts';

interface FunctionTool {
  type: string;
  function: {
    name: string;
    description: string;
    parameters: { type: string; properties: Record<string, { description?: string }>; required?: string[] };
  };
}

describe('GET /api/v1/tools and POST /api/v1/tools/{name}', () => {
  let api: ApiHarness;
  let member: Caller;
  let viewer: Caller;
  let assistantId: string;

  beforeAll(async () => {
    api = await createApiHarness('pglite', { KAIROS_MAX_SCHEDULES_PER_USER: '2' }, { services: true });
    member = await api.caller('member');
    viewer = await api.caller('viewer');
    const created = await api.call('POST', '/api/v1/assistants', {
      key: member.key,
      body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => api.close());

  const call = (name: string, body: unknown, key = member.key) =>
    api.call('POST', `/api/v1/tools/${name}`, { key, body });

  it('lists the tools in the OpenAI function-calling shape with model-facing descriptions', async () => {
    const response = await api.call('GET', '/api/v1/tools', { key: viewer.key });
    expect(response.status).toBe(200);
    const { tools } = (await response.json()) as { tools: FunctionTool[] };
    expect(tools.map((t) => t.function.name)).toEqual(expectedTools);
    for (const tool of tools) {
      expect(tool.type).toBe('function');
      expect(tool.function.description.length).toBeGreaterThan(40);
      expect(tool.function.parameters.type).toBe('object');
      expect(JSON.stringify(tool.function.parameters)).not.toContain('$ref');
    }
    const create = tools.find((t) => t.function.name === 'create_schedule')!.function.parameters;
    expect(create.required).toEqual(['schedule']);
    expect(create.properties.schedule!.description).toMatch(/0 9 \* \* 1-5/);
    expect(create.properties.schedule!.description).toMatch(/wall-clock/);
    expect(create.properties.input_template!.description).toMatch(/\{\{date\}\}/);
    expect(tools.find((t) => t.function.name === 'pause_schedule')!.function.parameters.required).toEqual([
      'schedule_id',
    ]);
  });

  it('executes a tool as the key holder: preview, create, then the schedule is in the API', async () => {
    const preview = await call('preview_schedule', { schedule: '0 9 * * 1-5', count: 2 });
    expect(preview.status).toBe(200);
    expect(((await preview.json()) as { times: string[] }).times).toHaveLength(2);
    const created = await call('create_schedule', {
      assistant_id: assistantId,
      name: 'via tools',
      schedule: '*/30 * * * *',
    });
    expect(created.status).toBe(200);
    const schedule = (await created.json()) as { id: string; owner_id: string };
    expect(schedule.owner_id).toBe(member.userId);
    expect((await api.call('GET', `/api/v1/schedules/${schedule.id}`, { key: member.key })).status).toBe(200);
  });

  it('answers refusals with their status and the {error} body the model should see; nothing changes', async () => {
    const seconds = await call('create_schedule', { assistant_id: assistantId, schedule: '*/10 * * * * *' });
    expect(seconds.status).toBe(422);
    expect((await errorOf(seconds)).message).toMatch(/seconds|6 fields|KAIROS_ALLOW_SECONDS/i);

    const unknownField = await call('create_schedule', {
      assistant_id: assistantId,
      schedule: '@daily',
      cron: '@daily',
    });
    expect(unknownField.status).toBe(422);
    expect(await errorOf(unknownField)).toMatchObject({ code: 'invalid_request', details: { field: 'cron' } });

    const noTarget = await call('create_schedule', { schedule: '@daily' });
    expect(noTarget.status).toBe(422);
    expect(await errorOf(noTarget)).toMatchObject({ code: 'invalid_request', details: { field: 'assistant_id' } });

    const asViewer = await call('create_schedule', { assistant_id: assistantId, schedule: '@daily' }, viewer.key);
    expect(asViewer.status).toBe(403);
    expect((await errorOf(asViewer)).code).toBe('forbidden');

    const unknown = await call('send_email', {});
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('tool_not_found');

    const listed = await call('list_schedules', {});
    expect(((await listed.json()) as { total: number }).total).toBe(1);
  });

  it('list_workflows lists the caller’s workflows without their definitions', async () => {
    const created = await api.call('POST', '/api/v1/workflows', {
      key: member.key,
      body: { name: 'tool-listed', steps: [{ type: 'step', name: 'only', assistant_id: assistantId }] },
    });
    expect(created.status).toBe(201);
    const response = await call('list_workflows', { name: 'tool-listed' });
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { workflows: Array<Record<string, unknown>>; total: number };
    expect(listed.total).toBe(1);
    expect(listed.workflows[0]).toMatchObject({ name: 'tool-listed', status: 'active', version: 1 });
    expect(listed.workflows[0]).not.toHaveProperty('steps');
  });

  it('applies the per-user cap', async () => {
    expect((await call('create_schedule', { assistant_id: assistantId, schedule: '@daily' })).status).toBe(200);
    const capped = await call('create_schedule', { assistant_id: assistantId, schedule: '@hourly' });
    expect(capped.status).toBe(429);
    expect(await errorOf(capped)).toMatchObject({ code: 'schedule_cap_reached', details: { cap: 2 } });
  });

  it('documents both routes in OpenAPI', async () => {
    const doc = (await (await api.call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/tools']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/tools/{name}']!)).toEqual(['post']);
  });
});
