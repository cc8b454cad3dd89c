import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtInModules,
  ensureBuiltInAssistants,
  kairosDigestAssistantId,
} from '../../src/agents/builtin-assistants.ts';
import type { KairosDigest } from '../../src/agents/builtin/kairos-digest.ts';
import { createAgents } from '../../src/agents/create-agents.ts';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { loadModuleRegistry } from '../../src/agents/module-registry.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  agentConfig,
  insertSchedule,
  insertUser,
  localAdmin,
  makeRun,
  recordEvents,
  silentLogger,
} from './fixtures.ts';

describe.each(databaseKinds)('the built-in kairos-digest on %s', (kind) => {
  let testDb: TestDatabase;
  let deps: AssistantExecutionDeps;
  let memberId: string;

  async function insertRun(fields: {
    ownerId: string;
    scheduleId?: string | null;
    assistantId: string;
    status: string;
    errorKind?: string;
    error?: string;
    durationMs?: number;
    hoursAgo?: number;
  }): Promise<string> {
    const { rows } = await testDb.db.query<{ id: string }>(
      `INSERT INTO runs (owner_id, schedule_id, assistant_id, trigger, not_before, status, error_kind, error, duration_ms, created_at, finished_at)
       VALUES ($1, $2, $3, 'manual', now(), $4, $5, $6, $7, now() - ($8::int * interval '1 hour'),
               CASE WHEN $7::int IS NULL THEN NULL ELSE now() - ($8::int * interval '1 hour') END)
       RETURNING id`,
      [
        fields.ownerId,
        fields.scheduleId ?? null,
        fields.assistantId,
        fields.status,
        fields.errorKind ?? null,
        fields.error ?? null,
        fields.durationMs ?? null,
        fields.hoursAgo ?? 1,
      ],
    );
    return rows[0]!.id;
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    await ensureBuiltInAssistants(testDb.db);
    const registry = await loadModuleRegistry({ cwd: '/nonexistent-dir', builtIns: builtInModules(testDb.db) });
    deps = createAssistantExecution({ db: testDb.db, logger: silentLogger, config: agentConfig(), registry });
    const member = await insertUser(testDb.db, 'member');
    memberId = member.userId;
    const reporter = await insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'reporter',
      kind: 'http',
      config: { url: 'https://x.example' },
    });
    const nightly = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: reporter.id,
      name: 'nightly report',
    });
    const theirs = await insertAssistant(testDb.db, {
      ownerId: memberId,
      name: 'member bot',
      kind: 'http',
      config: { url: 'https://x.example' },
    });
    await insertRun({
      ownerId: localAdmin.userId,
      scheduleId: nightly,
      assistantId: reporter.id,
      status: 'success',
      durationMs: 1200,
    });
    await insertRun({
      ownerId: localAdmin.userId,
      scheduleId: nightly,
      assistantId: reporter.id,
      status: 'success',
      durationMs: 45_000,
    });
    await insertRun({
      ownerId: localAdmin.userId,
      scheduleId: nightly,
      assistantId: reporter.id,
      status: 'error',
      errorKind: 'assistant_error',
      error: 'POST answered 500',
      durationMs: 300,
    });
    await insertRun({
      ownerId: localAdmin.userId,
      scheduleId: nightly,
      assistantId: reporter.id,
      status: 'skipped',
      errorKind: 'config',
    });
    await insertRun({
      ownerId: localAdmin.userId,
      scheduleId: nightly,
      assistantId: reporter.id,
      status: 'error',
      error: 'too old',
      durationMs: 99_000,
      hoursAgo: 30,
    });
    await insertRun({
      ownerId: memberId,
      assistantId: theirs.id,
      status: 'timeout',
      errorKind: 'timeout',
      error: 'no answer in 30s',
      durationMs: 30_000,
    });
  });
  afterAll(async () => {
    await testDb.close();
  });

  it('reports the last 24 hours for an admin: counts, failures with schedule and error, slowest runs, and a summary', async () => {
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: kairosDigestAssistantId, trigger: 'schedule' }),
      new AbortController().signal,
      recordEvents().emit,
    );
    const digest = result.output as KairosDigest;
    expect(digest.scope).toBe('all');
    expect(digest.total).toBe(5);
    expect(digest.by_status).toEqual({ success: 2, error: 1, skipped: 1, timeout: 1 });
    expect(digest.success_rate).toBe(0.5);
    expect(digest.failures.map((f) => [f.schedule, f.assistant, f.status, f.error_kind, f.error])).toEqual(
      expect.arrayContaining([
        ['nightly report', 'reporter', 'error', 'assistant_error', 'POST answered 500'],
        [null, 'member bot', 'timeout', 'timeout', 'no answer in 30s'],
      ]),
    );
    expect(digest.failures).toHaveLength(2);
    expect(digest.slowest.map((s) => s.duration_ms)).toEqual([45_000, 30_000, 1200, 300]);
    expect(digest.slowest[0]!.schedule).toBe('nightly report');
    expect(digest.summary).toMatch(
      /^5 runs in the last 24 h: 2 succeeded, 1 failed, 1 timed out, 1 skipped\. Success rate 50%\./,
    );
    expect(digest.summary).toContain('Slowest: "nightly report" at 45 s.');
    expect(Date.parse(digest.period.to) - Date.parse(digest.period.from)).toBe(24 * 3600 * 1000);
  });

  it("covers only the member's own runs when a member runs it, and honours hours", async () => {
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: kairosDigestAssistantId, ownerId: memberId, input: { hours: 48 } }),
      new AbortController().signal,
      recordEvents().emit,
    );
    const digest = result.output as KairosDigest;
    expect(digest.scope).toBe('own');
    expect(digest.period.hours).toBe(48);
    expect(digest.total).toBe(1);
    expect(digest.by_status).toEqual({ timeout: 1 });
  });
});

describe('createAgents', () => {
  it('builds the services, registers the built-ins and creates the built-in assistant', async () => {
    const testDb = await createTestDatabase('pglite');
    try {
      const agents = await createAgents({
        db: testDb.db,
        logger: silentLogger,
        config: { ...agentConfig(), configFile: undefined },
        cwd: '/nonexistent-dir',
      });
      expect(agents.registry.ids()).toEqual(['kairos-digest']);
      const digest = await agents.assistants.assertRunnable(localAdmin, 'kairos-digest');
      expect(digest.id).toBe(kairosDigestAssistantId);
      const result = await executeAssistant(
        agents.execution,
        makeRun({ assistantId: digest.id }),
        new AbortController().signal,
        recordEvents().emit,
      );
      expect((result.output as KairosDigest).summary).toBe('No runs in the last 24 h.');
    } finally {
      await testDb.close();
    }
  });
});
