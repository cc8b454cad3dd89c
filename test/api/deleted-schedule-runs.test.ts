import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from './harness.ts';

interface Run {
  id: string;
  schedule_id: string | null;
  schedule_name: string | null;
  trigger: string;
}

describe.each(['pglite', 'postgres'] as const)('runs of a deleted schedule (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    const response = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  const getRun = async (id: string) =>
    (await (await h.call('GET', `/api/v1/runs/${id}`, { key: alice.key })).json()) as Run;

  const scheduleWithRuns = async (name: string) => {
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', name },
    });
    const { id } = (await created.json()) as { id: string };
    const manual = (await (await h.call('POST', `/api/v1/schedules/${id}/trigger`, { key: alice.key })).json()) as Run;
    // A run as the scheduler records it (trigger "schedule"), through SQL: the claim is not under test here.
    const { rows } = await h.db.query<{ id: string }>(
      `INSERT INTO runs (schedule_id, assistant_id, owner_id, trigger, scheduled_for, not_before, status, run_number)
       VALUES ($1, $2, $3, 'schedule', now(), now(), 'success', 99) RETURNING id::text`,
      [id, assistantId, alice.userId],
    );
    return { id, manualRunId: manual.id, scheduledRunId: rows[0]!.id };
  };

  it('keeps the schedule name and the trigger kind on its runs', async () => {
    const { id, manualRunId, scheduledRunId } = await scheduleWithRuns('daily-report');
    expect(await getRun(scheduledRunId)).toMatchObject({ schedule_id: id, schedule_name: null, trigger: 'schedule' });
    expect((await h.call('DELETE', `/api/v1/schedules/${id}`, { key: alice.key })).status).toBe(204);
    expect(await getRun(scheduledRunId)).toMatchObject({
      schedule_id: null,
      schedule_name: 'daily-report',
      trigger: 'schedule',
    });
    expect(await getRun(manualRunId)).toMatchObject({
      schedule_id: null,
      schedule_name: 'daily-report',
      trigger: 'manual',
    });
    const { rows } = await h.db.query<{ schedule_name: string }>(
      'SELECT schedule_name FROM schedule_runs_v WHERE run_id = $1',
      [scheduledRunId],
    );
    expect(rows[0]!.schedule_name).toBe('daily-report');
  });

  it('keeps it too when the schedule goes with its assistant (?force=true)', async () => {
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Doomed', kind: 'module', config: { module: 'echo' } },
    });
    const doomedId = ((await assistant.json()) as { id: string }).id;
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: doomedId, schedule: '0 9 * * *', name: 'weekly-digest' },
    });
    const { id } = (await created.json()) as { id: string };
    const run = (await (await h.call('POST', `/api/v1/schedules/${id}/trigger`, { key: alice.key })).json()) as Run;
    expect((await h.call('DELETE', `/api/v1/assistants/${doomedId}?force=true`, { key: alice.key })).status).toBe(204);
    expect(await getRun(run.id)).toMatchObject({
      schedule_id: null,
      schedule_name: 'weekly-digest',
      trigger: 'manual',
    });
  });
});
