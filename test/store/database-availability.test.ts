import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { watchAvailability } from '../../src/store/database-availability.ts';

// One log line each way per outage, whatever order the statements in flight across a change end
// in: a failover showed a query answered just as the server stopped (and a connection attempt
// that failed after it came back) logging the outage a second time.
function controlled() {
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const db = {
    kind: 'postgres',
    schema: 's',
    query: () => new Promise((resolve, reject) => pending.push({ resolve: () => resolve({ rows: [] }), reject })),
  } as unknown as Database;
  return { db, pending };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('watchAvailability', () => {
  it('logs an outage once each way, however the statements begun on either side of a change end', async () => {
    const { db, pending } = controlled();
    const events: string[] = [];
    const watched = watchAvailability(db, {
      unreachable: () => events.push('unreachable'),
      reachable: () => events.push('reachable'),
    });
    const settle = (promise: Promise<unknown>) => promise.catch(() => undefined);

    // Two statements begun while the database answers; the server stops: the first fails.
    const before = [settle(watched.query('SELECT 1')), settle(watched.query('SELECT 2'))];
    pending[0]!.reject(refused());
    await before[0];
    expect(watched.available).toBe(false);
    // The second was answered just before: older news than the outage, it does not end it.
    pending[1]!.resolve();
    await before[1];
    expect(events).toEqual(['unreachable']);
    expect(watched.available).toBe(false);

    // Two attempts during the outage; the server is back: the first succeeds.
    const during = [settle(watched.query('SELECT 3')), settle(watched.query('SELECT 4'))];
    pending[2]!.resolve();
    await during[0];
    expect(events).toEqual(['unreachable', 'reachable']);
    // The second times out after the server came back: it does not start a new outage.
    pending[3]!.reject(refused());
    await during[1];
    expect(events).toEqual(['unreachable', 'reachable']);
    expect(watched.available).toBe(true);

    // A statement begun after that which fails is a new outage.
    const after = settle(watched.query('SELECT 5'));
    pending[4]!.reject(refused());
    await after;
    expect(events).toEqual(['unreachable', 'reachable', 'unreachable']);
  });
});
