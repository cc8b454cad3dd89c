import { expect } from 'vitest';
import type { ApiHarness } from '../api/harness.ts';
import type { Database } from '../../src/store/database.ts';

/** One request the fuzz sends: the body is JSON text (or anything else) as it goes on the wire. */
export interface Probe {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: string;
  key: string;
}

/** What a safe answer was: the status and the parsed JSON (undefined for 204). */
export interface Answer {
  status: number;
  json: unknown;
}

/**
 * The state a refused request must leave as it found: the row count of every table, and the
 * full contents of the small tables (so an update that was refused changed no row either).
 */
export async function fingerprint(
  db: Database,
  counted: readonly string[],
  whole: readonly string[] = [],
): Promise<string> {
  const parts = [
    ...counted.map((table) => `(SELECT count(*) FROM ${table})::text`),
    ...whole.map((table) => `(SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ${table} t)`),
  ];
  const { rows } = await db.query<Record<string, string>>(
    `SELECT ${parts.map((part, i) => `${part} AS c${i}`).join(', ')}`,
  );
  return JSON.stringify(rows[0]);
}

const slowest: Array<{ ms: number; what: string }> = [];

/** Under `npm run fuzz` (FUZZ_RUNS set), the slowest requests of a file, for the log; never asserted. */
export function printSlowest(title: string): void {
  if (!process.env.FUZZ_RUNS || slowest.length === 0) return;
  slowest.sort((a, b) => b.ms - a.ms);
  console.log(
    `${title}: slowest requests\n${slowest
      .slice(0, 5)
      .map((entry) => `  ${entry.ms.toFixed(1)} ms  ${entry.what}`)
      .join('\n')}`,
  );
}

function remember(ms: number, probe: Probe): void {
  slowest.push({ ms, what: `${probe.method} ${probe.path} ${probe.body.slice(0, 120)}` });
  if (slowest.length > 50) {
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.length = 20;
  }
}

/**
 * Sends one fuzzed request and checks the properties every write route keeps: never a 5xx; a
 * refusal is a 4xx whose JSON body has a stable `code` and a message, and it changed nothing
 * (the fingerprint is the same before and after). Returns the answer for read-back checks.
 */
export async function sendSafely(h: ApiHarness, probe: Probe, state: () => Promise<string>): Promise<Answer> {
  const before = await state();
  const started = performance.now();
  const response = await h.app.request(probe.path, {
    method: probe.method,
    headers: { authorization: `Bearer ${probe.key}`, 'content-type': 'application/json' },
    body: probe.body,
  });
  remember(performance.now() - started, probe);
  const text = await response.text();
  const context = `${probe.method} ${probe.path} ${probe.body.slice(0, 600)}\n→ ${response.status} ${text.slice(0, 600)}`;
  expect(response.status, context).toBeLessThan(500);
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  if (response.status >= 400) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    expect(error?.code, context).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(typeof error?.message === 'string' && error.message.length > 0, context).toBe(true);
    expect(await state(), `a refused request changed what is stored: ${context}`).toBe(before);
  } else {
    expect(response.status, context).toBeGreaterThanOrEqual(200);
  }
  return { status: response.status, json };
}

/** GET of a resource, which must answer 200. */
export async function readBack(h: ApiHarness, key: string, path: string): Promise<unknown> {
  const response = await h.app.request(path, { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  expect(response.status, `GET ${path} → ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text);
}

/** The parsed body sent (undefined when it is not JSON), so read-back checks can compare fields. */
export function sentBody(probe: Probe): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(probe.body);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A plain data copy (JSON round trip), to compare what was sent with what is stored. */
export function asStored(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
