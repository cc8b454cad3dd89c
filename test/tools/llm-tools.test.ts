import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/app.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { loadConfig } from '../../src/config.ts';
import type { ScheduleResource } from '../../src/scheduler/schedule-resource.ts';
import type { RunResource } from '../../src/runs/run-resource.ts';
import {
  startChatToolsServer,
  type ChatToolsServer,
  type ScriptedAnswer,
  type ToolChatRequest,
} from '../helpers/chat-tools-server.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** Which scripted conversation a request belongs to: the first user message names it. */
const scenarioOf = (request: ToolChatRequest) => request.messages.find((m) => m.role === 'user')?.content ?? '';
// Tool results are JSON the script and assertions walk freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const toolAnswers = (request: ToolChatRequest) =>
  request.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content!) as Json);

describe.each(databaseKinds)('llm assistants with config.tools ["schedules"] on %s', (kind) => {
  let test: TestDatabase;
  let kairos: Kairos;
  let provider: ChatToolsServer;
  let member: Actor;
  let memberKey: string;
  let otherScheduleId: string;

  let stumbled = false;

  /** The model: each scenario is keyed by the user's first message. */
  function script(request: ToolChatRequest): ScriptedAnswer {
    const scenario = scenarioOf(request);
    const answers = toolAnswers(request);
    if (scenario === 'Remind me to stretch in five seconds') {
      if (answers.length === 0) {
        return {
          calls: [
            {
              name: 'create_schedule',
              arguments: {
                name: 'stretch',
                schedule: { at: new Date(Date.now() + 5000).toISOString() },
                input_template: 'Time to stretch!',
              },
            },
          ],
        };
      }
      return { text: `Done: reminder ${answers[0]!.id} is set.` };
    }
    if (scenario === 'Time to stretch!') return { text: 'Stand up and stretch.' };
    if (scenario === 'Post a digest every weekday at 9am') {
      const last = answers.at(-1);
      if (!last)
        return {
          calls: [
            {
              name: 'create_schedule',
              arguments: { name: 'digest', schedule: { cron: '0 25 * * 1-5' }, input_template: 'Digest for {{date}}' },
            },
          ],
        };
      if (last.error)
        return {
          calls: [
            {
              name: 'create_schedule',
              arguments: { name: 'digest', schedule: { cron: '0 9 * * 1-5' }, input_template: 'Digest for {{date}}' },
            },
          ],
        };
      return { text: `Scheduled ${last.name}: ${last.description}` };
    }
    if (scenario === 'Make one schedule, then stumble') {
      if (answers.length === 0)
        return {
          calls: [{ name: 'create_schedule', arguments: { name: 'once-only', schedule: '0 6 * * *', enabled: false } }],
        };
      // The provider fails once after the tool call (a 500: the run is retried).
      if (!stumbled) {
        stumbled = true;
        throw new Error('provider hiccup after the tool call');
      }
      return { text: `Made ${answers[0]!.id}` };
    }
    if (scenario === 'Keep looking')
      return { calls: [{ name: 'get_schedule', arguments: { schedule_id: otherScheduleId } }] };
    throw new Error(`unscripted conversation: ${scenario}`);
  }

  async function llmAssistant(name: string, config: Record<string, unknown> = {}): Promise<string> {
    const created = await kairos.agents.assistants.create(member, {
      name,
      kind: 'llm',
      config: {
        base_url: provider.baseUrl,
        model: 'scheduler-model',
        tools: ['schedules'],
        default_timezone: 'America/New_York',
        ...config,
      },
    });
    return created.id;
  }

  async function finished(run: RunResource): Promise<RunResource> {
    return waitFor(
      async () => {
        const current = await kairos.runs.get(member, run.id);
        return ['success', 'error', 'timeout', 'skipped', 'cancelled'].includes(current.status) ? current : undefined;
      },
      { timeoutMs: 30_000, message: `run ${run.id} did not finish` },
    );
  }

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    provider = await startChatToolsServer(script);
    const config = loadConfig({
      KAIROS_LOG_LEVEL: 'silent',
      KAIROS_DEMO: 'false',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_POLL_INTERVAL_MS: '500',
    });
    kairos = await Kairos.create({ config, db: test.db });
    await kairos.start();
    const issued = await issueKeyDirect(test.db, { role: 'member', userName: 'agent-owner' });
    member = { userId: issued.user.id, role: 'member' };
    memberKey = issued.key;
    const other = await issueKeyDirect(test.db, { role: 'member', userName: 'someone-else' });
    const otherActor: Actor = { userId: other.user.id, role: 'member' };
    const target = (
      await kairos.agents.assistants.create(otherActor, {
        name: 'theirs',
        kind: 'http',
        config: { url: 'https://agent.example/run' },
      })
    ).id;
    otherScheduleId = (
      await kairos.schedules.create(otherActor, { assistant_id: target, schedule: '0 0 1 1 *', enabled: false })
    ).id;
  });
  afterAll(async () => {
    await kairos.close();
    await provider.close();
    await test.close();
  });

  it('a retried run resumes from the journal: the model is not asked again for answered turns, the tool call is not repeated', async () => {
    const assistantId = await llmAssistant('journal bot');
    const scenario = 'Make one schedule, then stumble';
    const run = await kairos.runs.create(member, {
      assistant_id: assistantId,
      input: scenario,
      retry: { max_attempts: 2, backoff: { initial_s: 0.1 } },
    });
    const done = await finished(run);
    expect(done.status).toBe('success');
    expect(done.attempt).toBe(2);
    // Three requests: turn 0 and the failed turn 1 (attempt 1), turn 1 again (attempt 2); not turn 0 again.
    const requests = provider.requests.filter((r) => scenarioOf(r) === scenario);
    expect(requests).toHaveLength(3);
    expect(requests.map((r) => toolAnswers(r).length)).toEqual([0, 1, 1]);
    // One schedule: the call was not executed again.
    const { items } = await kairos.schedules.list(member, { limit: 1000 });
    const made = items.filter((s) => s.name === 'once-only');
    expect(made).toHaveLength(1);
    expect(done.output).toBe(`Made ${made[0]!.id}`);
    const events = await kairos.runs.events(member, run.id);
    expect(events.filter((e) => e.kind === 'tool.call').map((e) => e.data)).toEqual([
      expect.objectContaining({ name: 'create_schedule', idempotency_key: `${run.id}:0:0` }),
    ]);
    expect(events.find((e) => e.kind === 'tool.reused')?.data).toMatchObject({ idempotency_key: `${run.id}:0:0` });
    expect(events.filter((e) => e.kind === 'llm.reused').map((e) => (e.data as { round: number }).round)).toEqual([0]);
    // The injected failure is the only request the script refused; the other tests expect none.
    expect(provider.shapeErrors).toEqual(['script: provider hiccup after the tool call']);
    provider.shapeErrors.length = 0;
  });

  it('the demo: the model creates a schedule with a tool call, answers in text; the schedule fires the assistant with the input it chose', async () => {
    const assistantId = await llmAssistant('reminder bot');
    const run = await kairos.runs.create(member, {
      assistant_id: assistantId,
      input: 'Remind me to stretch in five seconds',
    });
    const done = await finished(run);
    expect(done.status).toBe('success');
    expect(provider.shapeErrors).toEqual([]);

    // The first request offered the tools; the second carried the tool result.
    const requests = provider.requests.filter((r) => scenarioOf(r) === 'Remind me to stretch in five seconds');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.tools!.map((t) => t.function.name)).toContain('create_schedule');
    const result = toolAnswers(requests[1]!)[0]!;
    expect(done.output).toBe(`Done: reminder ${result.id} is set.`);

    // The schedule exists, targets the assistant itself in its default zone, and says an agent made it.
    const schedule = await kairos.schedules.get(member, result.id as string);
    expect(schedule).toMatchObject({
      name: 'stretch',
      owner_id: member.userId,
      assistant_id: assistantId,
      input_template: 'Time to stretch!',
      created_by: { kind: 'agent', run_id: run.id, assistant_id: assistantId },
    });
    expect(schedule.schedule.timezone).toBe('America/New_York');
    const shown = await kairos.api.request(`/api/v1/schedules/${schedule.id}`, {
      headers: { authorization: `Bearer ${memberKey}` },
    });
    expect(((await shown.json()) as ScheduleResource).created_by).toEqual({
      kind: 'agent',
      run_id: run.id,
      assistant_id: assistantId,
    });

    // The trace holds the call and its result.
    const events = await kairos.runs.events(member, run.id);
    const call = events.find((e) => e.kind === 'tool.call')!;
    const answer = events.find((e) => e.kind === 'tool.result')!;
    expect(call.data).toMatchObject({
      name: 'create_schedule',
      arguments: { name: 'stretch', input_template: 'Time to stretch!' },
    });
    expect(answer.data).toMatchObject({ name: 'create_schedule', ok: true, result: { id: schedule.id } });
    expect(call.seq).toBeLessThan(answer.seq);

    // It fires: a scheduled run of the assistant with the input the model chose.
    const fired = await waitFor(
      async () => {
        const { items } = await kairos.runs.list(member, { schedule_id: schedule.id });
        return items.find((r) => r.status === 'success');
      },
      { timeoutMs: 30_000, message: 'the reminder did not fire' },
    );
    expect(fired).toMatchObject({
      trigger: 'schedule',
      assistant_id: assistantId,
      input: 'Time to stretch!',
      output: 'Stand up and stretch.',
    });
  });

  it('a refused call (bad cron) comes back to the model as an error result, and it corrects itself', async () => {
    const assistantId = await llmAssistant('digest bot');
    const done = await finished(
      await kairos.runs.create(member, { assistant_id: assistantId, input: 'Post a digest every weekday at 9am' }),
    );
    expect(done.status).toBe('success');
    const requests = provider.requests.filter((r) => scenarioOf(r) === 'Post a digest every weekday at 9am');
    expect(requests).toHaveLength(3);
    const refusal = toolAnswers(requests[1]!)[0]!;
    expect(refusal.error.code).toBe('invalid_cron');
    expect(refusal.error.message).toMatch(/25/);
    const { items } = await kairos.schedules.list(member, { name: 'digest' });
    expect(items).toHaveLength(1);
    expect(items[0]!.schedule).toEqual({ cron: '0 9 * * 1-5', timezone: 'America/New_York' });
    expect(done.output).toBe(`Scheduled digest: ${items[0]!.description}`);
    const results = (await kairos.runs.events(member, done.id))
      .filter((e) => e.kind === 'tool.result')
      .map((e) => (e.data as { ok: boolean }).ok);
    expect(results).toEqual([false, true]);
  });

  it("stops after max_tool_rounds; the tools act as the owner, so another user's schedule is not_found", async () => {
    const assistantId = await llmAssistant('looping bot', { max_tool_rounds: 2 });
    const done = await finished(await kairos.runs.create(member, { assistant_id: assistantId, input: 'Keep looking' }));
    expect(done.status).toBe('error');
    expect(done.error_kind).toBe('assistant_error');
    expect(done.error).toMatch(/2 rounds.*max_tool_rounds/);
    expect(done.attempt).toBe(1); // not retried: a retry would repeat the calls
    expect(provider.requests.filter((r) => scenarioOf(r) === 'Keep looking')).toHaveLength(3);
    const events = await kairos.runs.events(member, done.id);
    const results = events
      .filter((e) => e.kind === 'tool.result')
      .map((e) => e.data as { ok: boolean; result: { error: { code: string } } });
    expect(results).toHaveLength(2);
    for (const result of results) expect(result).toMatchObject({ ok: false, result: { error: { code: 'not_found' } } });
    expect(
      (await kairos.schedules.get({ userId: '00000000-0000-0000-0000-000000000001', role: 'admin' }, otherScheduleId))
        .status,
    ).toBe('paused');
  });

  it("list_workflows answers the owner's workflows through the composed server", async () => {
    const toolbox = kairos.agents.execution.tools!;
    const result = await toolbox.call(
      'list_workflows',
      {},
      {
        ownerId: member.userId,
        ownerRole: 'member',
        runId: '00000000-0000-4000-8000-000000000000',
        assistantId: '00000000-0000-4000-8000-000000000001',
        defaultTimezone: 'UTC',
      },
    );
    expect(result).toEqual({ ok: true, value: { workflows: [], total: 0 } });
  });

  it('refuses an unknown tool set or zone when the assistant is saved', async () => {
    await expect(llmAssistant('bad set', { tools: ['email'] })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/tools.*schedules/),
    });
    await expect(llmAssistant('bad zone', { default_timezone: 'Mars/Olympus' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/default_timezone/),
    });
  });
});
