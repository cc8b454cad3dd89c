import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/app.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';

// Local mode: a server bound to loopback with no API keys, so one person on their own machine.
describe('loopback agents in local mode (pglite)', () => {
  let test: TestDatabase;
  let kairos: Kairos;
  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    kairos = await Kairos.create({
      config: loadConfig({ KAIROS_DEMO: 'false', KAIROS_LOG_LEVEL: 'silent', KAIROS_ROLES: 'api', HOST: '127.0.0.1' }),
      db: test.db,
      logger: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await kairos.close();
    await test.close();
  });

  const create = (url: string, name: string, key?: string) =>
    kairos.api.request('/api/v1/assistants', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
      body: JSON.stringify({ name, kind: 'http', config: { url } }),
    });

  it('accepts 127.0.0.1, ::1 and localhost agents with no setting, refuses metadata addresses, saying so once', async () => {
    for (const [i, url] of [
      'http://127.0.0.1:8000/run',
      'http://[::1]:8000/run',
      'http://localhost:8000/run',
    ].entries()) {
      const response = await create(url, `local-${i}`);
      expect(response.status, await response.clone().text()).toBe(201);
    }
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/']) {
      const response = await create(url, 'metadata');
      expect(response.status).toBe(422);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('invalid_request');
      const host = new URL(url).hostname;
      expect(error.message).toBe(
        `config.url: ${host} is a cloud metadata endpoint: Kairos never calls it, whatever the settings ` +
          "(it hands out the machine's credentials)",
      );
    }
  });

  it('refuses loopback agents once keys exist (no longer local mode), naming the opening and the restart', async () => {
    const { key } = await issueKeyDirect(test.db, { role: 'admin', userName: 'first-admin' });
    const response = await waitFor(
      async () => {
        const answer = await create('http://127.0.0.1:8000/run', `keyed-${Date.now()}`, key);
        return answer.status === 422 ? answer : undefined;
      },
      { timeoutMs: 5000, intervalMs: 200, message: 'local mode ends once a key exists' },
    );
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toBe(
      'config.url: 127.0.0.1 is a loopback address: Kairos refuses private, loopback and link-local destinations; ' +
        'add "127.0.0.1" to KAIROS_HTTP_ALLOW_HOSTS and restart Kairos to allow it ' +
        '(loopback is allowed in local mode: a loopback server with no API keys)',
    );
  });
});
