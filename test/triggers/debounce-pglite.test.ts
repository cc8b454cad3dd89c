import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGithub } from '../../src/triggers/github-signature.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createTriggerHarness, type TriggerHarness } from './harness.ts';

const secret = 'debounce-hook-secret-pglite';
process.env.TEST_DEBOUNCE_HOOK_SECRET = secret;

/** The same SQL on PGlite: a held burst starts one run with the last input. */
describe('trigger debounce (pglite)', () => {
  let h: TriggerHarness;
  beforeAll(async () => {
    h = await createTriggerHarness('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('turns a burst into one run with the last input', async () => {
    const created = await h.call('POST', '/api/v1/triggers', {
      body: {
        name: 'debounced',
        assistant_id: h.assistantId,
        auth: { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'TEST_DEBOUNCE_HOOK_SECRET' } },
        debounce: { period: '2s', key: '{{event.query.customer}}' },
      },
    });
    expect(created.status).toBe(201);
    const trigger = (await created.json()) as { id: string; url: string };
    for (let n = 1; n <= 3; n++) {
      const raw = JSON.stringify({ n });
      const response = await h.call('POST', `${trigger.url}?customer=acme`, {
        body: raw,
        headers: { 'x-hub-signature-256': signGithub(secret, raw) },
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ debounced: true, debounce: { key: 'acme', deliveries: n } });
    }
    const runs = await waitFor(
      async () => {
        const { rows } = await h.test.db.query<{ input: unknown }>('SELECT input FROM runs WHERE trigger_id = $1', [
          trigger.id,
        ]);
        const { rowCount } = await h.test.db.query('SELECT 1 FROM trigger_debounces');
        return rows.length === 1 && rowCount === 0 ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(runs[0]!.input).toEqual({ n: 3 });
  });
});
