import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { fingerprint, printSlowest, sendSafely } from './answer-check.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileNumber, requestBody } from './hostile-values.ts';
import { consoleQuery } from './sql-strings.ts';

/** Text only what lies past Kairos's tables holds: a canary in each place the console must not reach. */
function hostname(): string | undefined {
  try {
    const text = readFileSync('/etc/hostname', 'utf8').trim();
    return text.length >= 4 ? text : undefined;
  } catch {
    return undefined;
  }
}

describe('fuzz: the SQL console', () => {
  let h: ApiHarness;
  let admin: Caller;
  let member: Caller;
  let other: string;
  const canaries = ['CANARY-settings-7f3a', 'CANARY-other-schema-91c2'];
  const state = () => fingerprint(h.db, ['runs', 'api_keys', 'schedule_events'], ['users', 'settings']);

  beforeAll(async () => {
    h = await createApiHarness('postgres');
    admin = await h.caller('admin');
    member = await h.caller('member');
    other = `${h.db.schema}_other`;
    await h.db.query(`INSERT INTO settings (key, value) VALUES ('canary', to_jsonb($1::text))`, [canaries[0]]);
    await h.db.exec(`CREATE SCHEMA ${other}; CREATE TABLE ${other}.secrets (secret text)`);
    await h.db.query(`INSERT INTO ${other}.secrets VALUES ($1)`, [canaries[1]]);
    const host = hostname();
    if (host) canaries.push(host);
  });
  afterAll(async () => {
    printSlowest('sql');
    await h?.db.exec(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    await h?.close();
  });

  it(
    `POST /api/v1/sql: never a 5xx, a refusal changes nothing, and no answer holds what lies past Kairos's tables (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    async () => {
      const counts = { answered: 0, refused: 0 };
      const body = requestBody(
        fc.record(
          {
            query: consoleQuery(other),
            timeout_ms: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1000, max: 5000 }) }, hostileNumber),
            max_rows: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }) }, hostileNumber),
          },
          { requiredKeys: ['query'] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(body, fc.nat(4), async (text, who) => {
          const asAdmin = who > 0;
          const answer = await sendSafely(
            h,
            { method: 'POST', path: '/api/v1/sql', body: text, key: asAdmin ? admin.key : member.key },
            state,
          );
          if (answer.status === 200) {
            counts.answered++;
            expect(asAdmin).toBe(true);
            const shown = JSON.stringify(answer.json);
            for (const canary of canaries) expect(shown, `${text}\n→ ${shown.slice(0, 300)}`).not.toContain(canary);
          } else counts.refused++;
          if (answer.status === 403 && asAdmin) {
            const code = (answer.json as { error: { code: string } }).error.code;
            expect(code, text).toBe('sql_not_allowed');
          }
        }),
        fuzzParameters(80),
      );
      expect(counts.answered, 'the generator reaches queries the console answers').toBeGreaterThan(0);
      expect(counts.refused).toBeGreaterThan(0);
    },
  );
});
