import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';

// One contract, both drivers: the same SQL must behave the same on PGlite and PostgreSQL.
describe.each(databaseKinds)('Database contract on %s', (kind) => {
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    db = test.db;
  });
  afterAll(() => test?.close());

  it('reports its kind and schema', () => {
    expect(db.kind).toBe(kind);
    expect(db.schema).toMatch(/^t_[0-9a-f]{12}$/);
  });

  it('creates tables in its own schema, found without qualification', async () => {
    const { rows } = await db.query<{ schema: string }>(
      "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'schedules'",
    );
    expect(rows.map((row) => row.schema)).toContain(db.schema);
    const { rows: current } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    expect(current[0]?.schema).toBe(db.schema);
  });

  it('parses types the same way: uuid text, timestamptz Date, int8 number, jsonb object', async () => {
    const { rows } = await db.query<{ id: string; at: Date; n: number; doc: unknown; ok: boolean }>(
      `SELECT gen_random_uuid() AS id, $1::timestamptz AS at, 9007199254740::int8 AS n,
              $2::jsonb AS doc, true AS ok`,
      ['2026-03-08T07:00:00.123Z', JSON.stringify({ a: [1, 'x'], b: null })],
    );
    const row = rows[0]!;
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.at).toBeInstanceOf(Date);
    expect(row.at.toISOString()).toBe('2026-03-08T07:00:00.123Z');
    expect(row.n).toBe(9007199254740);
    expect(row.doc).toEqual({ a: [1, 'x'], b: null });
    expect(row.ok).toBe(true);
  });

  it('counts affected rows for updates and deletes', async () => {
    await db.exec('CREATE TABLE contract_rows (id int PRIMARY KEY, v text)');
    await db.query('INSERT INTO contract_rows VALUES (1, $1), (2, $1), (3, $2)', ['a', 'b']);
    const updated = await db.query("UPDATE contract_rows SET v = 'c' WHERE v = $1", ['a']);
    expect(updated.rowCount).toBe(2);
    const deleted = await db.query('DELETE FROM contract_rows WHERE id = $1 RETURNING id', [3]);
    expect(deleted.rowCount).toBe(1);
    expect(deleted.rows).toEqual([{ id: 3 }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.exec('CREATE TABLE contract_tx (v int)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO contract_tx VALUES ($1)', [1]);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO contract_tx VALUES ($1)', [2]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query<{ v: number }>('SELECT v FROM contract_tx ORDER BY v');
    expect(rows).toEqual([{ v: 1 }]);
  });

  it('rolls back when a statement fails inside the transaction', async () => {
    await db.exec('CREATE TABLE contract_fail (v int PRIMARY KEY)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO contract_fail VALUES (1)');
        await tx.query('INSERT INTO contract_fail VALUES (1)');
      }),
    ).rejects.toThrow(/duplicate key/);
    const { rows } = await db.query('SELECT * FROM contract_fail');
    expect(rows).toHaveLength(0);
  });

  it('delivers notifications on a schema-scoped channel, also when sent inside a transaction', async () => {
    const received: string[] = [];
    let resolveTwo!: () => void;
    const two = new Promise<void>((resolve) => (resolveTwo = resolve));
    const unlisten = await db.listen('contract', (payload) => {
      received.push(payload);
      if (received.length === 2) resolveTwo();
    });
    await db.notify('contract', 'direct');
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_notify($1, $2)', [db.channelName('contract'), 'in-tx']);
    });
    await two;
    expect(received.sort()).toEqual(['direct', 'in-tx']);
    expect(db.channelName('contract')).toBe(`${db.schema}__contract`);
    await unlisten();
  });

  it('refuses parameters of the wrong type without changing anything', async () => {
    await expect(db.query('SELECT $1::int AS v', ['not a number'])).rejects.toThrow(/invalid input syntax/);
  });

  it('has the occurrence uniqueness that makes firing exactly-once', async () => {
    const owner = '00000000-0000-0000-0000-000000000001';
    const { rows: assistants } = await db.query<{ id: string }>(
      "INSERT INTO assistants (owner_id, name, kind) VALUES ($1, 'a', 'http') RETURNING id",
      [owner],
    );
    const { rows: schedules } = await db.query<{ id: string }>(
      `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron) VALUES ($1, 's', $2, 'cron', '* * * * *')
       RETURNING id`,
      [owner, assistants[0]!.id],
    );
    const insert = `INSERT INTO runs (schedule_id, owner_id, trigger, scheduled_for, not_before)
      VALUES ($1, $2, 'schedule', $3, $3)
      ON CONFLICT (schedule_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING RETURNING id`;
    const at = '2026-01-01T00:00:00Z';
    const first = await db.query(insert, [schedules[0]!.id, owner, at]);
    const second = await db.query(insert, [schedules[0]!.id, owner, at]);
    expect(first.rows).toHaveLength(1);
    expect(second.rows).toHaveLength(0);
  });
});
