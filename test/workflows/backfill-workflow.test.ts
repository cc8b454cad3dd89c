import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { admin, createWorkflowHarness, flatten, type WorkflowHarness } from './harness.ts';

// Issue 19: a backfill of a schedule that targets a workflow used to create runs that named
// nothing (no workflow_id), each ending `skipped` with "the run names no assistant".
describe.each(databaseKinds)('backfill of a schedule that targets a workflow (%s)', (kind) => {
  let h: WorkflowHarness;
  let schedules: ScheduleService;

  beforeAll(async () => {
    h = await createWorkflowHarness(kind);
    schedules = new ScheduleService({
      db: h.db,
      clock: systemClock,
      config: { allowSeconds: false, maxSchedulesPerUser: 100, requireAdmin: false },
      startDeadlineMs: 300_000,
      assistants: h.assistants,
      workflows: h.workflows,
    });
  });
  afterAll(() => h?.close());

  it('creates workflow runs that run the workflow, one per past occurrence, with the rendered input', async () => {
    const workflow = await h.workflows.create(admin, {
      name: 'backfilled-workflow',
      steps: [{ type: 'step', name: 'shout', module: 'upper' }],
    });
    const schedule = await schedules.create(admin, {
      name: 'hourly-workflow',
      workflow_id: workflow.id,
      schedule: { cron: '0 * * * *' },
      input_template: 'report {{scheduled_for}}',
      enabled: false,
    });
    const hour = 3_600_000;
    const top = Math.floor(Date.now() / hour) * hour;
    const from = new Date(top - 3 * hour).toISOString();
    const to = new Date(top - hour).toISOString();

    const result = await schedules.backfill(admin, schedule.id, { from, to });
    expect(result.runs).toBe(2);
    expect(result.scheduled_for).toEqual([new Date(top - 2 * hour).toISOString(), new Date(top - hour).toISOString()]);

    const finished = await Promise.all(result.run_ids.map((id) => h.finished(id)));
    for (const [i, { run, steps }] of finished.entries()) {
      expect(run.trigger).toBe('backfill');
      expect(run.workflow_id).toBe(workflow.id);
      expect(run.assistant_id).toBeNull();
      expect({ status: run.status, error: run.error }).toEqual({ status: 'success', error: null });
      const shouted = `REPORT ${result.scheduled_for[i]!.toUpperCase()}`;
      expect(run.output).toEqual({ content: shouted, steps: { shout: shouted } });
      expect(flatten(steps).map((step) => [step.name, step.status])).toEqual([['shout', 'success']]);
    }
    expect(h.calls.get('upper')).toBe(2);
  });
});
