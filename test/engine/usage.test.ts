import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageService } from '../../src/observability/usage-service.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, type Engine } from './harness.ts';

/** A local alert receiver: records every JSON body POSTed to it. */
async function startReceiver(): Promise<{
  url: string;
  bodies: Array<Record<string, unknown>>;
  close(): Promise<void>;
}> {
  const bodies: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('token usage per schedule (postgres)', () => {
  let engine: Engine | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await engine?.close();
    await receiver?.close();
    engine = undefined;
    receiver = undefined;
  });

  const settled = (e: Engine, id: string) =>
    waitFor(
      async () => {
        const row = await findRun(e.db, id);
        return row && row.status !== 'pending' && row.status !== 'running' ? row : undefined;
      },
      { timeoutMs: 20_000, message: `run ${id} to finish` },
    );
  const fire = async (e: Engine, scheduleId: string): Promise<RunRow> => {
    const run = await e.schedules.trigger(admin, scheduleId, { overlap: 'override' });
    const done = await settled(e, run.id);
    await e.worker.idle();
    return done;
  };

  it('records an http agent’s reported usage, sums it per schedule and day, prices it, and alerts once a day', async () => {
    receiver = await startReceiver();
    const e = (engine = await createEngine('postgres', { alertWebhook: receiver.url }));
    // Each answer reports 100 prompt + 20 completion tokens of one model.
    e.server.behave(() => ({
      kind: 'ok',
      output: {
        answer: 'ok',
        model: 'gpt-4o-mini',
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      },
    }));
    await e.worker.start();
    const schedule = await e.schedules.create(admin, {
      assistant_id: e.assistantId,
      schedule: { cron: '0 0 1 1 *', timezone: 'Europe/Paris' },
      alert_on_tokens_per_day: 300,
    });
    expect(schedule.alert_on_tokens_per_day).toBe(300);

    const first = await fire(e, schedule.id);
    expect(first.usage).toEqual({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, model: 'gpt-4o-mini' });
    await fire(e, schedule.id);
    // 240 tokens today: under the limit, no alert yet.
    expect((await e.schedules.events(admin, schedule.id)).filter((event) => event.kind === 'alert')).toEqual([]);

    await fire(e, schedule.id);
    const alerts = await waitFor(async () => {
      const found = (await e.schedules.events(admin, schedule.id)).filter((event) => event.kind === 'alert');
      return found.length > 0 ? found : undefined;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({ reason: 'tokens_per_day', tokens: 360, limit: 300 });
    await waitFor(() => receiver!.bodies.length === 1, { message: 'the alert webhook to receive the alert' });
    expect(receiver.bodies[0]).toMatchObject({
      kind: 'schedule.tokens_per_day',
      tokens: 360,
      alert_on_tokens_per_day: 300,
      schedule: { id: schedule.id },
    });

    // Further runs the same day do not alert again.
    await fire(e, schedule.id);
    expect((await e.schedules.events(admin, schedule.id)).filter((event) => event.kind === 'alert')).toHaveLength(1);

    const stats = await e.schedules.stats(admin, schedule.id);
    expect(stats.tokens).toEqual({ prompt: 400, completion: 80, total: 480 });

    const usage = new UsageService({
      db: e.db,
      clock: e.clock,
      schedules: e.schedules,
      pricing: { 'gpt-4o-mini': { input_per_1k: 0.15, output_per_1k: 0.6 } },
    });
    const perDay = await usage.forSchedule(admin, schedule.id, 7);
    expect(perDay.timezone).toBe('Europe/Paris');
    expect(perDay.days).toHaveLength(1);
    expect(perDay.days[0]).toMatchObject({
      runs: 4,
      prompt_tokens: 400,
      completion_tokens: 80,
      tokens: 480,
      unpriced_tokens: 0,
    });
    // 400/1000 × 0.15 + 80/1000 × 0.6 = 0.06 + 0.048
    expect(perDay.total.cost).toBeCloseTo(0.108, 6);
    const today = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Paris',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
    expect(perDay.days[0]!.day).toBe(today);

    const unpriced = await new UsageService({
      db: e.db,
      clock: e.clock,
      schedules: e.schedules,
      pricing: { other: { input_per_1k: 1, output_per_1k: 1 } },
    }).forSchedule(admin, schedule.id);
    expect(unpriced.total).toMatchObject({ cost: null, unpriced_tokens: 480 });
  });

  it('records no usage for an answer without one, and a schedule without a limit never alerts', async () => {
    const e = (engine = await createEngine('postgres'));
    e.server.behave(() => ({ kind: 'ok', output: { answer: 'no usage here' } }));
    await e.worker.start();
    const schedule = await e.schedules.create(admin, { assistant_id: e.assistantId, schedule: { cron: '0 0 1 1 *' } });
    const run = await fire(e, schedule.id);
    expect(run.usage).toBeNull();
    expect((await e.schedules.stats(admin, schedule.id)).tokens).toEqual({ prompt: 0, completion: 0, total: 0 });
  });
});
