import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createEngine, ManualClock, type Engine } from './harness.ts';

// A herd of hourly reports at 9:00, larger than the default slots, against a slow agent: with the
// default configuration every run waits for a slot and succeeds; none ends as `capacity`.
describe('a herd larger than the default slots (postgres)', () => {
  const defaults = loadConfig({}).worker;
  const clock = new ManualClock(Date.parse('2026-12-07T08:59:59Z'));
  const herd = defaults.slots + 40;
  let engine: Engine;
  // The slow agent: holds every answer until released, then answers at once.
  const held: ServerResponse[] = [];
  let released = false;
  const received: string[] = [];
  const agent = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push((JSON.parse(Buffer.concat(chunks).toString()) as { run_id: string }).run_id);
      if (released) res.end('{"ok":true}');
      else held.push(res);
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    // Default slots and start deadline; the lease is long only because the test moves the clock
    // by minutes while runs are in flight (their heartbeats run on the real clock).
    engine = await createEngine('postgres', {
      clock,
      worker: { slots: defaults.slots, startDeadlineMs: defaults.startDeadlineMs, leaseMs: 3_600_000 },
    });
  });
  afterAll(async () => {
    await engine?.close();
    agent.closeAllConnections();
    agent.close();
  });

  it('waits for slots past five minutes and runs every report once', async () => {
    const e = engine;
    const slow = await insertAssistant(e.db, {
      ownerId: localAdminId,
      name: 'slow',
      kind: 'http',
      config: { url: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/` },
    });
    await e.db.query(
      `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, next_run_at, timeout_ms)
       SELECT $1, 'hourly-report-' || n, $2, 'cron', '0 * * * *', $3, 3600000 FROM generate_series(1, $4::int) AS n`,
      [localAdminId, slow.id, new Date('2026-12-07T09:00:00Z'), herd],
    );
    await e.scheduler.tick();
    const { rows: created } = await e.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs`);
    expect(created[0]!.n).toBe(herd);

    clock.set('2026-12-07T09:00:00Z');
    // Every slot takes a report; the agent holds them all.
    await waitFor(async () => (await e.worker.tick(), e.worker.activeCount === defaults.slots), {
      message: 'every slot busy',
    });
    await waitFor(() => received.length === defaults.slots, { message: 'the first wave at the agent' });

    // Ten minutes on, the rest still wait for a slot: not failed as capacity.
    clock.set('2026-12-07T09:10:00Z');
    await e.worker.tick();
    const { rows: waiting } = await e.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM runs GROUP BY status ORDER BY status`,
    );
    expect(waiting).toEqual([
      { status: 'pending', n: herd - defaults.slots },
      { status: 'running', n: defaults.slots },
    ]);

    released = true;
    for (const res of held.splice(0)) res.end('{"ok":true}');
    await waitFor(
      async () => {
        await e.worker.tick();
        const { rows } = await e.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM runs WHERE status IN ('pending', 'running')`,
        );
        return rows[0]!.n === 0;
      },
      { timeoutMs: 30_000, message: 'the herd to finish' },
    );
    await e.worker.idle();

    const { rows: ended } = await e.db.query<{ status: string; error_kind: string | null; n: number }>(
      `SELECT status, error_kind, count(*)::int AS n FROM runs GROUP BY status, error_kind`,
    );
    expect(ended).toEqual([{ status: 'success', error_kind: null, n: herd }]);
    expect(new Set(received).size).toBe(herd);
    expect(received).toHaveLength(herd);
  });
});
