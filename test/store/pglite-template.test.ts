import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite-driver.ts';
import { seedFromTemplate } from '../../src/store/pglite-template.ts';

// A fresh embedded data directory is a copy of an initialised, migrated template (docs/configuration.md).
describe('embedded data directory template', () => {
  const root = mkdtempSync(join(tmpdir(), 'kairos-template-'));
  const cacheDir = join(root, 'cache');
  const schema = 'kairos';
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the template once, then copies it: the copy is migrated and usable', { timeout: 300_000 }, async () => {
    expect(await seedFromTemplate(join(root, 'first'), schema, cacheDir)).toBe('built');
    expect(await seedFromTemplate(join(root, 'second'), schema, cacheDir)).toBe('copied');
    expect(readdirSync(cacheDir).filter((name) => name.startsWith('pglite-'))).toHaveLength(1);
    // An initialised directory is never touched again.
    expect(await seedFromTemplate(join(root, 'second'), schema, cacheDir)).toBe('existing');

    const steps: string[] = [];
    const db = await openPglite({
      dataDir: join(root, 'second'),
      schema,
      seed: (dataDir) => seedFromTemplate(dataDir, schema, cacheDir),
      timings: (step) => steps.push(step),
    });
    try {
      expect(steps).toEqual(['seed data directory', 'start PGlite (WebAssembly, Postgres)']);
      // Every migration is in the copy: nothing left to apply.
      expect(await migrate(db)).toEqual([]);
      const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM migrations');
      expect(rows[0]!.count).toBe((await loadMigrations()).length);
      await db.query("INSERT INTO users (id, name, role) VALUES (gen_random_uuid(), 'someone', 'member')");
      const users = await db.query<{ name: string }>('SELECT name FROM users ORDER BY name');
      expect(users.rows.map((row) => row.name)).toEqual(['local', 'someone']);
    } finally {
      await db.close();
    }
    // The other copy is its own database: the row written above is not in it, nor in the template.
    const first = await openPglite({ dataDir: join(root, 'first'), schema });
    try {
      const users = await first.query<{ name: string }>('SELECT name FROM users');
      expect(users.rows.map((row) => row.name)).toEqual(['local']);
    } finally {
      await first.close();
    }
    expect(existsSync(join(root, 'first', 'kairos.lock'))).toBe(false);
  });

  it('sizes PostgreSQL memory for a laptop', { timeout: 120_000 }, async () => {
    const db = await openPglite({ schema });
    try {
      const { rows } = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(rows[0]!.shared_buffers).toBe('16MB');
    } finally {
      await db.close();
    }
  });
});
