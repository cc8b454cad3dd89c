import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { expect } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import type { Config } from '../../src/config.ts';
import type { RunToExecute } from '../../src/agents/execute-assistant.ts';
import type { Database } from '../../src/store/database.ts';
import { KairosError } from '../../src/errors.ts';

export const silentLogger = pino({ level: 'silent' });

export const localAdmin: Actor = { userId: '00000000-0000-0000-0000-000000000001', role: 'admin' };

/** The parts of Config agents read: private addresses allowed (test servers are on 127.0.0.1). */
export function agentConfig(
  overrides: { allowPrivate?: boolean; allowHosts?: string[]; threadMaxMessages?: number } = {},
): Pick<Config, 'http' | 'threadMaxMessages'> {
  return {
    http: { allowPrivate: overrides.allowPrivate ?? true, allowHosts: overrides.allowHosts ?? [] },
    threadMaxMessages: overrides.threadMaxMessages ?? 200,
  };
}

export async function insertUser(
  db: Database,
  role: Actor['role'],
  name = `${role}-${randomUUID().slice(0, 8)}`,
): Promise<Actor> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO users (name, role) VALUES ($1, $2) RETURNING id', [
    name,
    role,
  ]);
  return { userId: rows[0]!.id, role };
}

/** A schedule row written directly (the schedule service belongs to the engine). */
export async function insertSchedule(
  db: Database,
  fields: {
    ownerId: string;
    assistantId: string;
    sessionMode?: 'new' | 'persistent';
    onRunCompleted?: 'delete' | 'keep';
    threadId?: string | null;
    name?: string;
  },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, session_mode, on_run_completed, thread_id)
     VALUES ($1, $2, $3, 'cron', '0 * * * *', $4, $5, $6) RETURNING id`,
    [
      fields.ownerId,
      fields.name ?? `schedule-${randomUUID().slice(0, 8)}`,
      fields.assistantId,
      fields.sessionMode ?? 'new',
      fields.onRunCompleted ?? 'delete',
      fields.threadId ?? null,
    ],
  );
  return rows[0]!.id;
}

export async function scheduleThreadId(db: Database, scheduleId: string): Promise<string | null> {
  const { rows } = await db.query<{ thread_id: string | null }>('SELECT thread_id FROM schedules WHERE id = $1', [
    scheduleId,
  ]);
  return rows[0]?.thread_id ?? null;
}

export function makeRun(fields: Partial<RunToExecute> & { assistantId: string }): RunToExecute {
  return {
    id: randomUUID(),
    scheduleId: null,
    scheduledFor: null,
    trigger: 'api',
    runNumber: null,
    attempt: 1,
    ownerId: localAdmin.userId,
    threadId: null,
    sessionMode: null,
    onRunCompleted: null,
    input: null,
    ...fields,
  };
}

/** Records the events a run emits (the worker's trace). */
export function recordEvents() {
  const events: Array<{ kind: string; data: unknown }> = [];
  return {
    events,
    emit: async (kind: string, data?: unknown) => {
      events.push({ kind, data });
    },
  };
}

export async function countThreads(db: Database): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM threads');
  return rows[0]!.count;
}

/** The KairosError a promise rejects with (failing the test if it resolves or throws anything else). */
export async function rejection(promise: Promise<unknown>): Promise<KairosError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KairosError);
  return error as KairosError;
}
