import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInputTemplate } from '../../src/runs/input-template.ts';
import { renderTemplate } from '../../src/ui/lib/template-preview.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

const jsonLooking = '{"task": "Report for {{date}}", "n": {{run_number}}}';

describe('input templates given as a JSON-looking string', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness('pglite', {}, { services: true });
    alice = await h.caller('member');
    const response = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  it('renders to JSON on the server and in the form preview alike; text that is not JSON stays a string', () => {
    const at = Date.parse('2026-03-09T09:00:00Z');
    const server = renderInputTemplate(jsonLooking, {
      occurrenceMs: at,
      timezone: 'Europe/Paris',
      runNumber: 7,
      scheduleId: 's-1',
      scheduleName: 'daily',
    });
    expect(server).toEqual({ task: 'Report for 2026-03-09', n: 7 });
    const preview = renderTemplate(jsonLooking, {
      at: new Date(at).toISOString(),
      timezone: 'Europe/Paris',
      runNumber: 7,
      scheduleName: 'daily',
      scheduleId: 's-1',
    });
    expect(preview).toEqual(server);
    const prose = renderInputTemplate('{{date}}: {not json}', {
      occurrenceMs: at,
      timezone: 'UTC',
      runNumber: 1,
      scheduleId: 's-1',
      scheduleName: 'daily',
    });
    expect(prose).toBe('2026-03-09: {not json}');
  });

  it('sends the JSON to the agent: a triggered run has the object as its input', async () => {
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', input_template: jsonLooking },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const triggered = await h.call('POST', `/api/v1/schedules/${id}/trigger`, { key: alice.key });
    expect(triggered.status).toBe(201);
    const run = (await triggered.json()) as { input: unknown };
    expect(run.input).toEqual({ task: expect.stringMatching(/^Report for \d{4}-\d\d-\d\d$/), n: 1 });
  });

  it.each([
    ['Report for {{date', 'input_template'],
    [{ task: 'Report for {{ date }', n: 1 }, 'input_template.task'],
  ])('refuses an unclosed {{ in %j with 422 naming the path, storing nothing', async (template, path) => {
    const response = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', input_template: template, name: 'unclosed' },
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(new RegExp(`^${path.replace('.', '\\.')}: ".*" opens \\{\\{ without a variable`));
    const list = (await (await h.call('GET', '/api/v1/schedules?name=unclosed', { key: alice.key })).json()) as {
      data: Array<{ name: string }>;
    };
    expect(list.data.filter((s) => s.name === 'unclosed')).toEqual([]);
  });
});
