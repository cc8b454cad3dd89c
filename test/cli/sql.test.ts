import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKairos as run, runKairosSync, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

describe('kairos sql', () => {
  let cli: CliServer;
  let server: CliServer['server'];
  // PORT names a closed port, so that no local server is mistaken for the holder of a data dir.
  let dbEnv: Record<string, string>;
  let memberKey: string;
  let adminKey: string;

  beforeAll(async () => {
    cli = await startCliServer('clisql', { dbEnv: { PORT: '9' } });
    ({ server, dbEnv } = cli);
    adminKey = cli.admin.key;
    const member = runKairosSync(['keys', 'create', '--role', 'member', '--json'], dbEnv);
    expect(member.status, member.stderr).toBe(0);
    memberKey = (JSON.parse(member.stdout) as { key: string }).key;
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it('prints a table, JSON and CSV on the database directly', { timeout: 60_000 }, async () => {
    const table = await run(['sql', "SELECT name, role FROM users WHERE role = 'member'"], dbEnv);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+ROLE\nmember\s+member\n\(1 row\)\n$/);

    const json = await run(['sql', 'SELECT 1 AS one, $$a,"b"$$ AS text', '--json'], dbEnv);
    expect(JSON.parse(json.stdout)).toEqual([{ one: 1, text: 'a,"b"' }]);

    const csv = await run(['sql', 'SELECT 1 AS one, $$a,"b"$$ AS text', '--csv'], dbEnv);
    expect(csv.stdout).toBe('one,text\n1,"a,""b"""\n');
  });

  it('refuses a write with exit 2 and changes nothing', { timeout: 60_000 }, async () => {
    const refused = await run(['sql', "INSERT INTO users (name, role) VALUES ('mallory', 'admin')"], dbEnv);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/read-only|only reads/);
    const count = await run(['sql', "SELECT count(*)::int AS n FROM users WHERE name = 'mallory'", '--json'], dbEnv);
    expect(JSON.parse(count.stdout)).toEqual([{ n: 0 }]);
  });

  it("refuses what lies past Kairos's tables, directly and through a server", { timeout: 60_000 }, async () => {
    const direct = await run(['sql', "SELECT pg_read_file('/etc/hostname')"], dbEnv);
    expect(direct.status).toBe(2);
    expect(direct.stderr).toContain('pg_read_file');
    expect(direct.stderr).toContain("reads or lists the database server's files");
    const viaServer = await run(['sql', 'SELECT count(*) FROM pg_stat_activity'], {
      KAIROS_URL: server.url,
      KAIROS_API_KEY: adminKey,
    });
    expect(viaServer.status).toBe(2);
    expect(viaServer.stderr).toContain('pg_stat_activity');
  });

  it('goes through a named server, where only admins may query', { timeout: 60_000 }, async () => {
    const asAdmin = await run(['sql', 'SELECT count(*)::int AS n FROM users', '--json'], {
      KAIROS_URL: server.url,
      KAIROS_API_KEY: adminKey,
    });
    expect(asAdmin.status, asAdmin.stderr).toBe(0);
    expect(JSON.parse(asAdmin.stdout)).toEqual([{ n: 3 }]);
    const asMember = await run(['sql', 'SELECT 1'], { KAIROS_URL: server.url, KAIROS_API_KEY: memberKey });
    expect(asMember.status).toBe(2);
    expect(asMember.stderr).toContain('only admins may run SQL queries');
  });

  it('opens an embedded data directory that no server holds', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kairos-sql-'));
    try {
      const result = await run(['sql', "SELECT count(*)::int AS n FROM users WHERE name = 'local'", '--json'], {
        KAIROS_DATA_DIR: dataDir,
        PORT: '9',
      });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([{ n: 1 }]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
