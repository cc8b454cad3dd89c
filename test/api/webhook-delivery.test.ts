import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard } from '../../src/agents/address-guard.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { WebhookDelivery } from '../../src/worker/webhook-delivery.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe.each(databaseKinds)('webhook delivery of finished runs (%s)', (kind) => {
  let test: TestDatabase;
  let receiver: HttpAgentServer;
  let assistantId: string;
  let counter = 0;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    receiver = await startHttpAgentServer();
    assistantId = (
      await insertAssistant(test.db, { ownerId: localAdminId, name: 'a', kind: 'http', config: { url: receiver.url } })
    ).id;
  });
  afterAll(async () => {
    await receiver?.close();
    await test?.close();
  });

  /** A schedule with this webhook and one run of it that just finished (announced like the worker does). */
  async function finishedRun(webhook: string, status = 'success'): Promise<string> {
    const { rows } = await test.db.query<{ id: string }>(
      `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, webhook) VALUES ($1, $2, $3, 'cron', '0 9 * * *', $4) RETURNING id`,
      [localAdminId, `hooked-${++counter}`, assistantId, webhook],
    );
    const run = await test.db.query<{ id: string }>(
      `INSERT INTO runs (schedule_id, assistant_id, owner_id, trigger, not_before, status, output, started_at, finished_at)
       VALUES ($1, $2, $3, 'manual', now(), $4, '{"answer":42}', now(), now()) RETURNING id`,
      [rows[0]!.id, assistantId, localAdminId, status],
    );
    await test.db.query('SELECT pg_notify($1, $2)', [test.db.channelName('run_finished'), run.rows[0]!.id]);
    return run.rows[0]!.id;
  }

  const stateOf = async (runId: string) =>
    (
      await test.db.query<{ webhook_delivered_at: Date | null; webhook_attempts: number }>(
        'SELECT webhook_delivered_at, webhook_attempts FROM runs WHERE id = $1',
        [runId],
      )
    ).rows[0]!;

  const service = (allowPrivate: boolean) =>
    new WebhookDelivery({
      db: test.db,
      clock: systemClock,
      logger: createLogger('silent'),
      guard: createAddressGuard({ allowPrivate, allowHosts: [] }),
      pollIntervalMs: 50,
      initialBackoffMs: 20,
      maxAttempts: 4,
    });

  it('POSTs the run resource, retries after a failure with backoff, then records the delivery', async () => {
    let failures = 1;
    receiver.handle(() => (failures-- > 0 ? { status: 503, body: { busy: true } } : { body: { ok: true } }));
    const delivery = service(true);
    await delivery.start();
    try {
      const runId = await finishedRun(`${receiver.url}/hook`);
      const requests = await receiver.waitForRequests(2);
      const hooks = requests.filter((request) => request.path === '/hook');
      expect(hooks).toHaveLength(2);
      expect(hooks[1]!.body).toMatchObject({ id: runId, status: 'success', output: { answer: 42 } });
      expect(hooks[1]!.headers['x-kairos-run-id']).toBe(runId);
      const state = await waitFor(async () => {
        const current = await stateOf(runId);
        return current.webhook_delivered_at ? current : undefined;
      });
      expect(state.webhook_attempts).toBe(2);
      // Delivered once recorded: no further POST for this run, not even when woken again.
      await test.db.query('SELECT pg_notify($1, $2)', [test.db.channelName('run_finished'), runId]);
      const skipped = await finishedRun(`${receiver.url}/skipped`, 'skipped');
      const next = await finishedRun(`${receiver.url}/next`);
      await waitFor(async () => (await stateOf(next)).webhook_delivered_at);
      expect(receiver.requests.filter((request) => request.path === '/hook')).toHaveLength(2);
      expect(receiver.requests.some((request) => request.path === '/skipped')).toBe(false);
      expect((await stateOf(skipped)).webhook_attempts).toBe(0);
    } finally {
      await delivery.close();
      receiver.requests.length = 0;
    }
  });

  it('refuses private addresses as http assistants do, and stops after the last attempt', async () => {
    receiver.handle(() => ({ body: { ok: true } }));
    const delivery = service(false);
    await delivery.start();
    try {
      const runId = await finishedRun(`${receiver.url}/private`);
      const state = await waitFor(
        async () => {
          const current = await stateOf(runId);
          return current.webhook_attempts >= 4 ? current : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(state.webhook_delivered_at).toBeNull();
      expect(receiver.requests.some((request) => request.path === '/private')).toBe(false);
    } finally {
      await delivery.close();
    }
  });
});
