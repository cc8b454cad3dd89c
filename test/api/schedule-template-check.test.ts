import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

// An unclosed `{{` is refused at save time like an unknown variable (it would reach the agent as
// written), and nothing is saved.
describe.each(databaseKinds)('input template check (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;

  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  const create = (input_template: unknown) =>
    h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { name: 'report', assistant_id: assistantId, schedule: '0 9 * * *', input_template },
    });

  it('refuses an unclosed {{ with the field and the fix, and saves nothing', async () => {
    const response = await create({ task: 'Report for {{date', n: 'ok {{run_number}}' });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(
      'input_template.task: "{{date…" opens {{ without a variable and }}; write a variable as {{date}}, {{run_number}}, …',
    );
    expect(error.details).toMatchObject({ field: 'input_template.task', unclosed: '{{date' });
    const list = await h.call('GET', '/api/v1/schedules', { key: alice.key });
    expect(((await list.json()) as { total: number }).total).toBe(0);
  });

  it('refuses a {{ whose closing braces belong to the next placeholder', async () => {
    const response = await create('Report for {{date and {{day_of_week}}');
    expect(response.status).toBe(422);
    expect((await errorOf(response)).details).toMatchObject({ field: 'input_template', unclosed: '{{date' });
  });

  it('accepts closed placeholders and literal single braces', async () => {
    const response = await create('{"task": "Report for {{ date }}", "n": {{run_number}}} and {x}');
    expect(response.status).toBe(201);
  });
});
