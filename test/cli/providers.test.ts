import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKairos as run, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

describe('kairos providers (subprocess against a running server)', () => {
  let cli: CliServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    cli = await startCliServer('cliprov');
    ({ env } = cli);
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it('creates, lists, updates and deletes a provider by name; bad input exits 2', { timeout: 120_000 }, async () => {
    const body = JSON.stringify({
      name: 'openai',
      base_url: 'https://api.openai.example/v1',
      api_key: { env: 'OPENAI_API_KEY' },
      rpm: 500,
      tpm: 200000,
    });
    const created = await run(['providers', 'create', '--data', body, '--json'], env);
    expect(created.status, created.stderr).toBe(0);
    const provider = JSON.parse(created.stdout) as { id: string; rpm: number; api_key: { env: string } };
    expect(provider).toMatchObject({ rpm: 500, api_key: { env: 'OPENAI_API_KEY' } });

    const table = await run(['providers', 'list'], env);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /openai\s+https:\/\/api\.openai\.example\/v1\s+env OPENAI_API_KEY\s+500 rpm, 200000 tpm/,
    );

    const updated = await run(
      ['providers', 'update', 'openai', '--data', '{"rpm":null,"max_concurrent":4}', '--json'],
      env,
    );
    expect(updated.status, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ rpm: null, max_concurrent: 4 });

    const bad = await run(
      ['providers', 'create', '--data', '{"name":"x","base_url":"https://x.example","rpm":0}'],
      env,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('rpm');

    const deleted = await run(['providers', 'delete', 'openai'], env);
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`deleted ${provider.id}`);
    const gone = await run(['providers', 'get', 'openai'], env);
    expect(gone.status).not.toBe(0);
  });
});
