import { afterEach, describe, expect, it } from 'vitest';
import { updateAssistant } from '../../src/store/assistants.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, type Engine } from './harness.ts';

// Two replicas, one assistant with max_concurrent 2 and a local agent server counting the
// requests it has open: a herd of 20 waits for the provider instead of failing.
describe('assistant max_concurrent across replicas (postgres)', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('20 due runs, 2 replicas with 8 slots each: never more than 2 at once, all 20 succeed', async () => {
    const e = (engine = await createEngine('postgres', { worker: { startDeadlineMs: 1000 } }));
    const other = e.replica();
    await updateAssistant(e.db, e.assistantId, { maxConcurrent: 2 });
    let open = 0;
    let peak = 0;
    e.server.behave(() => {
      peak = Math.max(peak, ++open);
      setTimeout(() => open--, 100);
      return { kind: 'ok', delayMs: 100 };
    });
    const runs = [];
    for (let i = 0; i < 20; i++) runs.push(await e.runs.create(admin, { assistant_id: e.assistantId, input: { i } }));
    await e.worker.start();
    await other.worker.start();
    const ids = runs.map((run) => run.id);
    const rows = await waitFor(
      async () => {
        const { rows } = await e.db.query<RunRow>('SELECT * FROM runs WHERE id = ANY($1::uuid[])', [ids]);
        return rows.every((row) => row.status !== 'pending' && row.status !== 'running') ? rows : undefined;
      },
      { timeoutMs: 30_000, message: 'the 20 runs to finish' },
    );
    // The start deadline (1 s) passed for most of them while they waited: not a capacity error.
    expect(rows.map((row) => row.status)).toEqual(Array(20).fill('success'));
    expect(e.server.requests).toHaveLength(20);
    expect(peak).toBe(2);
    // The same from the database: at every start, at most 2 runs were between start and finish.
    for (const row of rows) {
      const at = row.started_at!.getTime();
      const overlapping = rows.filter((x) => x.started_at!.getTime() <= at && x.finished_at!.getTime() > at);
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
  });
});
