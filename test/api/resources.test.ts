import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Assistant {
  id: string;
  name: string;
  kind: string;
  owner_id: string;
  config: Record<string, unknown>;
}
interface Run {
  id: string;
  status: string;
  trigger: string;
  assistant_id: string;
  owner_id: string;
  input: unknown;
}

describe.each(databaseKinds)('resource routes (%s)', (kind) => {
  let h: ApiHarness;
  let admin: Caller;
  let alice: Caller;
  let bob: Caller;
  let viewer: Caller;
  let echo: Assistant;
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    admin = await h.caller('admin');
    alice = await h.caller('member');
    bob = await h.caller('member');
    viewer = await h.caller('viewer');
    const created = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' }, metadata: { team: 'ops' } },
    });
    expect(created.status).toBe(201);
    echo = (await created.json()) as Assistant;
  });
  afterAll(() => h.close());

  describe('assistants', () => {
    it('creates (201), gets, lists with filters, patches and deletes (204)', async () => {
      expect(echo).toMatchObject({ name: 'Echo', kind: 'module', owner_id: alice.userId });
      expect((await h.call('GET', `/api/v1/assistants/${echo.id}`, { key: alice.key })).status).toBe(200);

      const other = (await (
        await h.call('POST', '/api/v1/assistants', {
          key: alice.key,
          body: { name: 'Temp', kind: 'module', config: { module: 'echo' } },
        })
      ).json()) as Assistant;
      const filtered = (await (
        await h.call('GET', `/api/v1/assistants?metadata=${encodeURIComponent('{"team":"ops"}')}`, { key: alice.key })
      ).json()) as { data: Assistant[]; total: number };
      expect(filtered.data.map((assistant) => assistant.id)).toEqual([echo.id]);
      const byName = (await (await h.call('GET', '/api/v1/assistants?name=tem', { key: alice.key })).json()) as {
        data: Assistant[];
      };
      expect(byName.data.map((assistant) => assistant.id)).toEqual([other.id]);

      const patched = await h.call('PATCH', `/api/v1/assistants/${other.id}`, {
        key: alice.key,
        body: { name: 'Renamed', status: 'inactive' },
      });
      expect(await patched.json()).toMatchObject({ name: 'Renamed', status: 'inactive' });
      const deleted = await h.call('DELETE', `/api/v1/assistants/${other.id}`, { key: alice.key });
      expect(deleted.status).toBe(204);
      expect((await h.call('GET', `/api/v1/assistants/${other.id}`, { key: alice.key })).status).toBe(404);
    });

    it("hides another user's assistant (404), keeps viewers to reading (403), and lets admins see all", async () => {
      for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
        const response = await h.call(method, `/api/v1/assistants/${echo.id}`, { key: bob.key, body });
        expect(response.status, method).toBe(404);
        expect((await errorOf(response)).code).toBe('not_found');
      }
      const bobs = (await (await h.call('GET', '/api/v1/assistants', { key: bob.key })).json()) as {
        data: Assistant[];
      };
      expect(bobs.data.some((assistant) => assistant.id === echo.id)).toBe(false);
      const create = await h.call('POST', '/api/v1/assistants', {
        key: viewer.key,
        body: { name: 'V', kind: 'module', config: { module: 'echo' } },
      });
      expect(create.status).toBe(403);
      expect((await h.call('GET', `/api/v1/assistants/${echo.id}`, { key: admin.key })).status).toBe(200);
      expect((await h.call('GET', '/api/v1/assistants')).status).toBe(401);
    });

    it('refuses bad bodies with 422 naming the field, and unknown modules', async () => {
      const cases: Array<[unknown, string]> = [
        [{ name: 'x', kind: 'robot' }, 'kind'],
        [{ kind: 'module', config: { module: 'echo' } }, 'name'],
        [{ name: 'x', kind: 'module', config: { module: 'echo' }, colour: 'red' }, 'colour'],
        [{ name: 'x', kind: 'module', config: { module: 'nope' } }, 'config.module'],
      ];
      for (const [body, field] of cases) {
        const response = await h.call('POST', '/api/v1/assistants', { key: alice.key, body });
        expect(response.status, JSON.stringify(body)).toBe(422);
        const error = await errorOf(response);
        expect(error.code).toBe('invalid_request');
        expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
      }
      const query = await h.call('GET', '/api/v1/assistants?metadata=notjson', { key: alice.key });
      expect(query.status).toBe(422);
      expect((await errorOf(query)).message).toMatch(/^metadata: /);
    });
    it('keeps provider limits (max_concurrent, rate_limit): set, shown, cleared; refuses non-positive or fractional ones', async () => {
      const body = { name: 'Limited', kind: 'module', config: { module: 'echo' }, max_concurrent: 2, rate_limit: 30 };
      const created = await h.call('POST', '/api/v1/assistants', { key: alice.key, body });
      expect(created.status).toBe(201);
      const limited = (await created.json()) as Assistant & {
        max_concurrent: number | null;
        rate_limit: number | null;
      };
      expect(limited).toMatchObject({ max_concurrent: 2, rate_limit: 30 });
      expect(echo).toMatchObject({ max_concurrent: null, rate_limit: null });
      const patched = await h.call('PATCH', `/api/v1/assistants/${limited.id}`, {
        key: alice.key,
        body: { rate_limit: null, max_concurrent: 5 },
      });
      expect(await patched.json()).toMatchObject({ max_concurrent: 5, rate_limit: null });
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ max_concurrent: 0 }, 'max_concurrent', /at least 1/],
        [{ max_concurrent: 1.5 }, 'max_concurrent', /whole number/],
        [{ rate_limit: '30' }, 'rate_limit', /whole number/],
        [{ rate_limit: -1 }, 'rate_limit', /at least 1/],
      ];
      for (const [change, field, message] of cases) {
        const response = await h.call('PATCH', `/api/v1/assistants/${limited.id}`, { key: alice.key, body: change });
        expect(response.status, JSON.stringify(change)).toBe(422);
        const error = await errorOf(response);
        expect(error.code).toBe('invalid_request');
        expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
        expect(error.message).toMatch(message);
        const create = await h.call('POST', '/api/v1/assistants', {
          key: alice.key,
          body: { ...body, name: 'Bad', ...change },
        });
        expect(create.status).toBe(422);
      }
      const kept = (await (
        await h.call('GET', `/api/v1/assistants/${limited.id}`, { key: alice.key })
      ).json()) as Record<string, unknown>;
      expect(kept).toMatchObject({ max_concurrent: 5, rate_limit: null });
    });
  });

  describe('threads', () => {
    it('creates a thread, appends and reads messages, and hides it from others', async () => {
      const created = await h.call('POST', '/api/v1/threads', {
        key: alice.key,
        body: { assistant_id: echo.id, metadata: { a: 1 } },
      });
      expect(created.status).toBe(201);
      const thread = (await created.json()) as { id: string; assistant_id: string };
      expect(thread.assistant_id).toBe(echo.id);
      const appended = await h.call('POST', `/api/v1/threads/${thread.id}/messages`, {
        key: alice.key,
        body: [
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: { text: 'hi' } },
        ],
      });
      expect(appended.status).toBe(201);
      const got = (await (await h.call('GET', `/api/v1/threads/${thread.id}`, { key: alice.key })).json()) as {
        messages: Array<{ seq: number; role: string; content: unknown }>;
        message_count: number;
      };
      expect(got.message_count).toBe(2);
      expect(got.messages.map((message) => message.content)).toEqual(['hello', { text: 'hi' }]);
      const page = (await (
        await h.call('GET', `/api/v1/threads/${thread.id}/messages?after_seq=${got.messages[0]!.seq}`, {
          key: alice.key,
        })
      ).json()) as {
        data: unknown[];
      };
      expect(page.data).toHaveLength(1);
      const patched = await h.call('PATCH', `/api/v1/threads/${thread.id}`, {
        key: alice.key,
        body: { metadata: { b: 2 } },
      });
      expect(patched.status).toBe(200);
      expect((await h.call('GET', `/api/v1/threads/${thread.id}`, { key: bob.key })).status).toBe(404);
      expect((await h.call('GET', '/api/v1/threads/not-a-thread', { key: alice.key })).status).toBe(404);
      const deleted = await h.call('DELETE', `/api/v1/threads/${thread.id}`, { key: alice.key });
      expect(await deleted.json()).toEqual({ deleted: true, schedules_deleted: 0 });
      const listed = (await (await h.call('GET', '/api/v1/threads', { key: alice.key })).json()) as { total: number };
      expect(listed.total).toBe(0);
    });
  });

  describe('runs', () => {
    it('starts a run (201), lists it with filters, shows its events and cancels it', async () => {
      const created = await h.call('POST', '/api/v1/runs', {
        key: alice.key,
        body: { assistant_id: echo.id, input: { n: 1 } },
      });
      expect(created.status).toBe(201);
      const run = (await created.json()) as Run;
      expect(run).toMatchObject({
        status: 'pending',
        trigger: 'api',
        assistant_id: echo.id,
        owner_id: alice.userId,
        input: { n: 1 },
      });

      const list = (await (
        await h.call('GET', `/api/v1/runs?assistant_id=${echo.id}&status=pending`, { key: alice.key })
      ).json()) as {
        data: Run[];
        total: number;
      };
      expect(list.data.map((item) => item.id)).toContain(run.id);
      const none = (await (await h.call('GET', '/api/v1/runs?status=success', { key: alice.key })).json()) as {
        total: number;
      };
      expect(none.total).toBe(0);

      const got = (await (await h.call('GET', `/api/v1/runs/${run.id}`, { key: alice.key })).json()) as Run & {
        events: unknown[];
      };
      expect(got.id).toBe(run.id);
      expect(Array.isArray(got.events)).toBe(true);

      expect((await h.call('GET', `/api/v1/runs/${run.id}`, { key: bob.key })).status).toBe(404);
      expect((await h.call('POST', `/api/v1/runs/${run.id}/cancel`, { key: bob.key })).status).toBe(404);
      expect((await h.call('POST', `/api/v1/runs/${run.id}/cancel`, { key: viewer.key })).status).toBe(403);

      const cancelled = await h.call('POST', `/api/v1/runs/${run.id}/cancel`, { key: alice.key });
      expect(cancelled.status).toBe(200);
      expect(((await cancelled.json()) as Run).status).toBe('cancelled');
      const again = await h.call('POST', `/api/v1/runs/${run.id}/cancel`, { key: alice.key });
      expect(again.status).toBe(409);
      expect((await errorOf(again)).code).toBe('run_finished');
    });

    it('waits up to wait_timeout_ms when asked (no worker here: the run is still pending)', async () => {
      const started = Date.now();
      const response = await h.call('POST', '/api/v1/runs?wait=true&wait_timeout_ms=300', {
        key: alice.key,
        body: { assistant_id: echo.id },
      });
      expect(response.status).toBe(201);
      expect(((await response.json()) as Run).status).toBe('pending');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it("refuses runs of others' assistants (404), by viewers (403) and with bad bodies (422)", async () => {
      expect((await h.call('POST', '/api/v1/runs', { key: bob.key, body: { assistant_id: echo.id } })).status).toBe(
        404,
      );
      expect((await h.call('POST', '/api/v1/runs', { key: viewer.key, body: { assistant_id: echo.id } })).status).toBe(
        403,
      );
      const bad = await h.call('POST', '/api/v1/runs', { key: alice.key, body: { assistant_id: '' } });
      expect(bad.status).toBe(422);
      expect((await errorOf(bad)).message).toMatch(/^assistant_id: /);
      const bobRuns = (await (await h.call('GET', '/api/v1/runs', { key: bob.key })).json()) as { total: number };
      expect(bobRuns.total).toBe(0);
    });
  });
});
