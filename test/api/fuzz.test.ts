import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from './harness.ts';

/** A small seeded PRNG (mulberry32), so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env.FUZZ_SEED ?? 20260101);
const rand = random(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (max: number) => Math.floor(rand() * max);

const strings = [
  '',
  ' ',
  'a b',
  '\u0000',
  '💥',
  '../../etc/passwd',
  "'; DROP TABLE users; --",
  'x'.repeat(300),
  '%00',
  '\\',
];
const scalars: unknown[] = [null, true, false, 0, -1, 1e308, -0.5, 'admin', '', [], {}, [1, 2], { $ne: null }];

function anyValue(depth = 0): unknown {
  const roll = rand();
  if (depth > 2 || roll < 0.4) return pick(scalars);
  if (roll < 0.6) return pick(strings);
  if (roll < 0.8) return Array.from({ length: int(4) }, () => anyValue(depth + 1));
  return Object.fromEntries(
    Array.from({ length: int(4) }, () => [pick([...strings, 'name', 'role', 'user_id']), anyValue(depth + 1)]),
  );
}

/** A body that no write route may accept: broken JSON, wrong types, unknown fields, bad values. */
function malformedBody(): string {
  const kind = int(6);
  if (kind === 0) return JSON.stringify(anyValue()).slice(0, Math.max(1, int(40))) + pick(['', '{', ',', '"']);
  if (kind === 1)
    return JSON.stringify(
      pick(scalars.filter((value) => typeof value !== 'object' || Array.isArray(value) || value === null)),
    );
  if (kind === 2)
    return JSON.stringify({ name: pick(['ok', 'fine']), [pick(['zzz', 'admin', '__proto__x', 'Role'])]: anyValue() });
  if (kind === 3) return JSON.stringify({ name: pick([...strings.slice(0, 7), 42, null, [], {}]), role: anyValue() });
  if (kind === 4) return JSON.stringify({ name: 'valid', role: pick(['root', 'ADMIN', '', 1, null, ['admin']]) });
  return JSON.stringify({ ...(anyValue() as object), [`unknown_${int(1000)}`]: anyValue() });
}

function malformedHeaders(admin: Caller): Record<string, string> {
  const auth = pick([
    `Bearer ${admin.key}`,
    `Bearer ${admin.key}`,
    `Bearer ${admin.key}`,
    `x ${admin.key}`,
    `Bearer ${admin.key.slice(0, int(admin.key.length))}`,
    `Bearer ${'kairos_'.padEnd(50, pick(['A', '-', '_']))}`,
    'Bearer',
    '',
    `Bearer ${pick(strings).replace(/[^\x20-\x7e]/g, '')}`,
  ]);
  const headers: Record<string, string> = {
    'content-type': pick([
      'application/json',
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
      'multipart/form-data; boundary=x',
    ]),
  };
  if (auth) headers.authorization = auth;
  if (rand() < 0.1) headers['x-api-key'] = pick(['', 'kairos_', admin.key.toUpperCase()]);
  return headers;
}

describe('fuzz: malformed requests', () => {
  let h: ApiHarness;
  let admin: Caller;
  let member: Caller;
  beforeAll(async () => {
    h = await createApiHarness('pglite', { KAIROS_MAX_BODY_BYTES: '4096' });
    admin = await h.caller('admin');
    member = await h.caller('member');
  });
  afterAll(() => h.close());

  async function snapshot(): Promise<string> {
    const users = await h.db.query('SELECT id, name, role, disabled_at, updated_at FROM users ORDER BY id');
    const keys = await h.db.query('SELECT id, user_id, name, revoked_at FROM api_keys ORDER BY id');
    return JSON.stringify([users.rows, keys.rows]);
  }

  it(`answers ${3000} generated malformed requests with a 4xx error code and changes nothing (seed ${seed})`, async () => {
    const before = await snapshot();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const target = pick([
        ['POST', '/api/v1/users'],
        ['PATCH', `/api/v1/users/${member.userId}`],
        ['PATCH', `/api/v1/users/${pick([member.userId.slice(1), 'me', '%27', '0'])}`],
        ['POST', '/api/v1/keys'],
        ['GET', `/api/v1/users?limit=${pick(['0', '-1', 'x', '1e9', '1001', ''])}`],
        ['GET', `/api/v1/keys?offset=${pick(['-5', 'NaN', '1.5'])}&include_revoked=${pick(['maybe', '1'])}`],
        ['DELETE', `/api/v1/keys/${pick(['', 'abc', `${admin.keyId}x`, "1' OR '1'='1"])}`],
      ] as const);
      const [method, path] = target;
      const headers = malformedHeaders(admin);
      let body: string | undefined = method === 'GET' || method === 'DELETE' ? undefined : malformedBody();
      if (body !== undefined && rand() < 0.03) body = `{"name":"${'z'.repeat(5000)}"}`;
      // A valid PATCH body ({}) would legitimately succeed: keep PATCH bodies invalid.
      if (method === 'PATCH' && body === '{}') body = '{"disabled":"yes"}';
      const response = await h.app.request(path, { method, headers, body });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      const context = `${method} ${path} ${JSON.stringify(headers)} ${body?.slice(0, 200)} → ${response.status} ${text.slice(0, 200)}`;
      expect(response.status >= 400 && response.status < 500, context).toBe(true);
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      expect(typeof parsed.error?.code, context).toBe('string');
      expect(typeof parsed.error?.message, context).toBe('string');
    }
    expect(await snapshot()).toBe(before);
    // The generator reaches every layer: auth, JSON parsing, media type, size and validation.
    for (const status of [400, 401, 413, 415, 422])
      expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
  });
});
