import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe.each(databaseKinds)('auth (%s)', (kind) => {
  describe('local mode', () => {
    let h: ApiHarness;
    beforeAll(async () => (h = await createApiHarness(kind)));
    afterAll(() => h.close());

    it('acts as the local admin on loopback while no key exists, whatever is sent', async () => {
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer nonsense' },
        { 'x-api-key': 'kairos_wrong' },
      ];
      for (const headers of attempts) {
        const response = await h.call('GET', '/api/v1/users/me', { headers });
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ id: localAdminId, role: 'admin', name: 'local' });
      }
    });

    it('ends as soon as a key exists, and comes back when every key is revoked', async () => {
      const created = await h.call('POST', '/api/v1/keys', { body: { name: 'first' } });
      expect(created.status).toBe(201);
      const key = (await created.json()) as { id: string; key: string; user_id: string };
      expect(key.user_id).toBe(localAdminId);
      expect((await h.call('GET', '/api/v1/users/me')).status).toBe(401);
      expect((await h.call('GET', '/api/v1/users/me', { key: key.key })).status).toBe(200);
      expect((await h.call('DELETE', `/api/v1/keys/${key.id}`, { key: key.key })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the "keys exist" cache lasts 1 s
      expect((await h.call('GET', '/api/v1/users/me')).status).toBe(200);
    });
  });

  it('has no local mode when bound to a non-loopback address', async () => {
    const h = await createApiHarness(kind, { HOST: '0.0.0.0' });
    try {
      const response = await h.call('GET', '/api/v1/users/me');
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('unauthorized');
      expect((await h.call('GET', '/healthz')).status).toBe(200);
      expect((await h.call('GET', '/api/v1/openapi.json')).status).toBe(200);
      expect((await h.call('GET', '/metrics')).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  describe('with keys', () => {
    let h: ApiHarness;
    let admin: Caller;
    let member: Caller;
    let other: Caller;
    let viewer: Caller;
    beforeAll(async () => {
      h = await createApiHarness(kind);
      admin = await h.caller('admin');
      member = await h.caller('member');
      other = await h.caller('member');
      viewer = await h.caller('viewer');
    });
    afterAll(() => h.close());

    it('refuses a missing, malformed, unknown or wrongly sent key with 401', async () => {
      const cases: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: `Bearer ${admin.key}x` },
        { authorization: `Bearer kairos_${'A'.repeat(43)}` },
        { 'x-api-key': 'not-a-key' },
        { authorization: `Bearer ${admin.key.slice(0, -1)}` },
      ];
      for (const headers of cases) {
        const response = await h.call('GET', '/api/v1/users/me', { headers });
        expect(response.status, JSON.stringify(headers)).toBe(401);
        const error = await errorOf(response);
        expect(error.code).toBe('unauthorized');
        expect(error.message).not.toContain(admin.key);
      }
    });

    it('accepts a key as Bearer (any case) or as x-api-key, and records its use', async () => {
      const ways: Array<Record<string, string>> = [
        { authorization: `Bearer ${member.key}` },
        { authorization: `bearer ${member.key}` },
        { 'x-api-key': member.key },
      ];
      for (const headers of ways) {
        const response = await h.call('GET', '/api/v1/users/me', { headers });
        expect(response.status).toBe(200);
        expect(((await response.json()) as { id: string }).id).toBe(member.userId);
      }
      const key = (await (await h.call('GET', `/api/v1/keys/${member.keyId}`, { key: member.key })).json()) as {
        last_used_at: string | null;
      };
      expect(key.last_used_at).not.toBeNull();
    });

    it('refuses revoked keys and keys of disabled users', async () => {
      const temp = await h.caller('member');
      expect((await h.call('DELETE', `/api/v1/keys/${temp.keyId}`, { key: temp.key })).status).toBe(200);
      expect((await h.call('GET', '/api/v1/users/me', { key: temp.key })).status).toBe(401);

      const doomed = await h.caller('member');
      const disabled = await h.call('PATCH', `/api/v1/users/${doomed.userId}`, {
        key: admin.key,
        body: { disabled: true },
      });
      expect(disabled.status).toBe(200);
      expect(await disabled.json()).toMatchObject({ disabled: true });
      expect((await h.call('GET', '/api/v1/users/me', { key: doomed.key })).status).toBe(401);
      await h.call('PATCH', `/api/v1/users/${doomed.userId}`, { key: admin.key, body: { disabled: false } });
      expect((await h.call('GET', '/api/v1/users/me', { key: doomed.key })).status).toBe(200);
    });

    it('keeps users administration to admins (403 forbidden otherwise)', async () => {
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', '/api/v1/users'],
        ['POST', '/api/v1/users', { name: 'mallory', role: 'admin' }],
        ['GET', `/api/v1/users/${admin.userId}`],
        ['PATCH', `/api/v1/users/${member.userId}`, { role: 'admin' }],
      ];
      for (const caller of [member, viewer]) {
        for (const [method, path, body] of attempts) {
          const response = await h.call(method, path, { key: caller.key, body });
          expect(response.status, `${method} ${path}`).toBe(403);
          expect((await errorOf(response)).code).toBe('forbidden');
        }
      }
      const users = (await (await h.call('GET', '/api/v1/users?limit=100', { key: admin.key })).json()) as {
        data: Array<{ name: string; role: string }>;
        total: number;
      };
      expect(users.data.some((user) => user.name === 'mallory')).toBe(false);
      expect(users.data.find((user) => user.name === 'local')?.role).toBe('admin');
      expect(users.total).toBe(users.data.length);
      // Everyone may read themselves, by /me or by id.
      expect((await h.call('GET', `/api/v1/users/${viewer.userId}`, { key: viewer.key })).status).toBe(200);
    });

    it('lets admins create, rename, re-role and disable users, with 409 for taken names and the last admin', async () => {
      const created = await h.call('POST', '/api/v1/users', { key: admin.key, body: { name: 'carol' } });
      expect(created.status).toBe(201);
      const carol = (await created.json()) as { id: string; role: string };
      expect(carol.role).toBe('member');
      const taken = await h.call('POST', '/api/v1/users', { key: admin.key, body: { name: 'carol', role: 'viewer' } });
      expect(taken.status).toBe(409);
      expect((await errorOf(taken)).code).toBe('name_taken');
      const renamed = await h.call('PATCH', `/api/v1/users/${carol.id}`, {
        key: admin.key,
        body: { role: 'viewer', name: 'carol2' },
      });
      expect(await renamed.json()).toMatchObject({ name: 'carol2', role: 'viewer' });
      const clash = await h.call('PATCH', `/api/v1/users/${carol.id}`, { key: admin.key, body: { name: 'local' } });
      expect(clash.status).toBe(409);

      const local = await h.call('PATCH', `/api/v1/users/${localAdminId}`, {
        key: admin.key,
        body: { role: 'member' },
      });
      expect(local.status).toBe(409);
      expect((await errorOf(local)).code).toBe('built_in_user');
      const last = await h.call('PATCH', `/api/v1/users/${admin.userId}`, { key: admin.key, body: { disabled: true } });
      expect(last.status).toBe(409);
      expect((await errorOf(last)).code).toBe('last_admin');
      expect((await h.call('GET', '/api/v1/users/me', { key: admin.key })).status).toBe(200);

      const missing = await h.call('GET', '/api/v1/users/00000000-0000-0000-0000-00000000ffff', { key: admin.key });
      expect(missing.status).toBe(404);
      expect((await errorOf(missing)).code).toBe('not_found');
    });

    it('lets members manage their own keys; another user’s key answers 404', async () => {
      const created = await h.call('POST', '/api/v1/keys', { key: member.key, body: { name: 'laptop' } });
      expect(created.status).toBe(201);
      const laptop = (await created.json()) as { id: string; key: string; prefix: string; user_id: string };
      expect(laptop.key).toMatch(/^kairos_[\w-]{43}$/);
      expect(laptop.key.startsWith(laptop.prefix)).toBe(true);
      expect(laptop.user_id).toBe(member.userId);

      const listed = (await (await h.call('GET', '/api/v1/keys', { key: member.key })).json()) as {
        data: Array<Record<string, unknown>>;
      };
      expect(listed.data.map((key) => key.user_id)).toEqual(listed.data.map(() => member.userId));
      expect(listed.data.some((key) => 'key' in key || 'hash' in key)).toBe(false);

      for (const [method, path] of [
        ['GET', `/api/v1/keys/${laptop.id}`],
        ['DELETE', `/api/v1/keys/${laptop.id}`],
      ] as const) {
        const response = await h.call(method, path, { key: other.key });
        expect(response.status).toBe(404);
        expect((await errorOf(response)).code).toBe('not_found');
      }
      expect((await h.call('GET', '/api/v1/users/me', { key: laptop.key })).status).toBe(200);

      const forOther = await h.call('POST', '/api/v1/keys', { key: member.key, body: { user_id: other.userId } });
      expect(forOther.status).toBe(403);
      const othersList = await h.call('GET', `/api/v1/keys?user_id=${other.userId}`, { key: member.key });
      expect(othersList.status).toBe(403);
    });

    it('keeps viewers to reading', async () => {
      const create = await h.call('POST', '/api/v1/keys', { key: viewer.key, body: {} });
      expect(create.status).toBe(403);
      expect((await errorOf(create)).code).toBe('forbidden');
      const revoke = await h.call('DELETE', `/api/v1/keys/${viewer.keyId}`, { key: viewer.key });
      expect(revoke.status).toBe(403);
      expect((await h.call('GET', '/api/v1/keys', { key: viewer.key })).status).toBe(200);
    });

    it('lets admins create keys for others and list everyone’s', async () => {
      const created = await h.call('POST', '/api/v1/keys', {
        key: admin.key,
        body: { user_id: other.userId, name: 'ops' },
      });
      expect(created.status).toBe(201);
      const ops = (await created.json()) as { key: string; user_id: string };
      expect(ops.user_id).toBe(other.userId);
      const me = (await (await h.call('GET', '/api/v1/users/me', { key: ops.key })).json()) as { id: string };
      expect(me.id).toBe(other.userId);
      const all = (await (await h.call('GET', '/api/v1/keys?limit=1000', { key: admin.key })).json()) as {
        data: Array<{ user_id: string }>;
      };
      const owners = new Set(all.data.map((key) => key.user_id));
      expect(owners.has(member.userId) && owners.has(other.userId) && owners.has(admin.userId)).toBe(true);
      const filtered = (await (
        await h.call('GET', `/api/v1/keys?user_id=${other.userId}`, { key: admin.key })
      ).json()) as {
        data: Array<{ user_id: string }>;
      };
      expect(filtered.data.every((key) => key.user_id === other.userId)).toBe(true);
      const nobody = await h.call('POST', '/api/v1/keys', {
        key: admin.key,
        body: { user_id: '00000000-0000-0000-0000-00000000abcd' },
      });
      expect(nobody.status).toBe(404);
    });

    it('lists revoked keys only when asked', async () => {
      const temp = await h.caller('member');
      await h.call('DELETE', `/api/v1/keys/${temp.keyId}`, { key: admin.key });
      const active = (await (
        await h.call('GET', `/api/v1/keys?user_id=${temp.userId}`, { key: admin.key })
      ).json()) as {
        total: number;
      };
      expect(active.total).toBe(0);
      const all = (await (
        await h.call('GET', `/api/v1/keys?user_id=${temp.userId}&include_revoked=true`, { key: admin.key })
      ).json()) as { total: number; data: Array<{ revoked_at: string | null }> };
      expect(all.total).toBe(1);
      expect(all.data[0]!.revoked_at).not.toBeNull();
    });
  });
});
