import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyRunsFinished } from '../../src/store/notifications.ts';
import { RunWaiter } from '../../src/worker/run-waiter.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';

// A finish of many runs sends one run_finished notification per 200 ids (comma-separated): a
// waiter for any of them, first or last of a chunk, wakes.
describe.each(databaseKinds)('run waiter on %s', (kind) => {
  let testDb: TestDatabase;
  // A fresh PGlite can take a minute on a loaded machine.
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  }, 180_000);
  afterAll(async () => {
    await testDb?.close();
  });

  // A waiter that is not woken waits 120 s: beyond the test's timeout, so a miss fails it.
  it(
    'wakes the waiters of runs finished together, whatever their place in a notification',
    { timeout: 60_000 },
    async () => {
      const waiter = new RunWaiter(testDb.db);
      const ids = Array.from({ length: 450 }, () => randomUUID());
      const watched = [ids[0]!, ids[199]!, ids[200]!, ids[449]!];
      const waits = await Promise.all(watched.map((id) => waiter.register(id)));
      const woken = Promise.all(waits.map((w) => w.next(120_000).then(() => true)));
      await notifyRunsFinished(testDb.db, testDb.db, ids);
      expect(await woken).toEqual([true, true, true, true]);
      for (const w of waits) w.dispose();
      await waiter.close();
    },
  );
});
