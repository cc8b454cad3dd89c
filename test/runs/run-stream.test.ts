import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/sdk/index.ts';
import { appendRunEvent } from '../../src/store/run-events.ts';
import type { Database } from '../../src/store/database.ts';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Received {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

/** Reads a Server-Sent Events body as it arrives; `events` fills up, `closed` resolves at its end. */
function readStream(response: Response) {
  const events: Received[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const closed = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .find((line) => line.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim();
        if (field('event')) events.push({ event: field('event')!, id: field('id'), data: JSON.parse(field('data')!) });
      }
    }
  })();
  return { events, closed, cancel: () => reader.cancel() };
}

describe.each(databaseKinds)('GET /api/v1/runs/{id}/stream (%s)', (kind) => {
  let h: ApiHarness;
  let owner: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    owner = await h.caller('member', 'stream-owner');
    const created = await h.call('POST', '/api/v1/assistants', {
      key: owner.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await h.close();
  });

  const newRun = async () => {
    const response = await h.call('POST', '/api/v1/runs', { key: owner.key, body: { assistant_id: assistantId } });
    return ((await response.json()) as { id: string }).id;
  };
  /** What a worker writes as the run goes: statuses, a node, usage, then the end. */
  const finish = async (db: Database, runId: string) => {
    await db.query(`UPDATE runs SET status = 'success', output = '{"ok":true}', finished_at = now() WHERE id = $1`, [
      runId,
    ]);
    await appendRunEvent(db, runId, 'attempt_finished', { attempt: 1, status: 'success', error_kind: null });
  };

  it('sends the events so far, then live ones as they are appended, and ends after `end`', async () => {
    const runId = await newRun();
    await appendRunEvent(h.db, runId, 'attempt_started', { attempt: 1, worker: 'w1' });
    const response = await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: owner.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = readStream(response);
    await waitFor(() => stream.events.length === 1, { message: 'the stored event' });
    expect(stream.events[0]).toMatchObject({
      event: 'status',
      id: '1',
      data: { kind: 'status', seq: 1, status: 'running' },
    });

    await appendRunEvent(h.db, runId, 'step_started', { key: 'fetch', name: 'fetch', type: 'step' });
    await appendRunEvent(h.db, runId, 'tool.call', { name: 'not streamed' });
    await appendRunEvent(h.db, runId, 'llm.response', { usage: { input_tokens: 3, output_tokens: 4 } });
    await appendRunEvent(h.db, runId, 'step_finished', {
      key: 'fetch',
      name: 'fetch',
      status: 'success',
      duration_ms: 5,
    });
    await waitFor(() => stream.events.length === 4, { message: 'the live events' });
    await finish(h.db, runId);
    await stream.closed;
    expect(stream.events.map((e) => [e.event, e.id, e.data.node ?? null])).toEqual([
      ['status', '1', null],
      ['node_start', '2', 'fetch'],
      ['usage', '4', null],
      ['node_end', '5', 'fetch'],
      ['status', '6', null],
      ['end', '6', null],
    ]);
    expect(stream.events[2]!.data.usage).toEqual({ input_tokens: 3, output_tokens: 4 });
    expect(stream.events[5]!.data).toMatchObject({ kind: 'end', status: 'success', output: { ok: true } });
    expect(typeof stream.events[5]!.data.at).toBe('string');
  });

  it('resumes after Last-Event-ID with only what came after; a finished run replays and ends at once', async () => {
    const runId = await newRun();
    await appendRunEvent(h.db, runId, 'attempt_started', { attempt: 1 });
    await appendRunEvent(h.db, runId, 'step_started', { key: 'a', name: 'a' });
    await finish(h.db, runId);
    const all = readStream(await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: owner.key }));
    await all.closed;
    expect(all.events.map((e) => e.event)).toEqual(['status', 'node_start', 'status', 'end']);
    const resumed = readStream(
      await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: owner.key, headers: { 'last-event-id': '2' } }),
    );
    await resumed.closed;
    expect(resumed.events.map((e) => [e.event, e.id])).toEqual([
      ['status', '3'],
      ['end', '3'],
    ]);
    const bad = await h.call('GET', `/api/v1/runs/${runId}/stream`, {
      key: owner.key,
      headers: { 'last-event-id': 'soon' },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Last-Event-ID/);
  });

  it('ends a run cancelled while pending (no trace event: woken by run_finished)', async () => {
    const runId = await newRun();
    const stream = readStream(await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: owner.key }));
    const cancelled = await h.call('POST', `/api/v1/runs/${runId}/cancel`, { key: owner.key });
    expect(cancelled.status).toBe(200);
    await stream.closed;
    expect(stream.events.map((e) => [e.event, e.data.status])).toEqual([['end', 'cancelled']]);
  });

  it('through the SDK: runs.stream yields the events in order, a park and its decision included, and ends', async () => {
    const runId = await newRun();
    const sdk = new Kairos({
      baseUrl: 'http://kairos.test/',
      apiKey: owner.key,
      fetch: ((input: string | Request | URL, init?: RequestInit) =>
        Promise.resolve(h.app.request(input instanceof Request ? input : String(input), init))) as typeof fetch,
    });
    await appendRunEvent(h.db, runId, 'attempt_started', { attempt: 1, worker: 'w1' });
    await appendRunEvent(h.db, runId, 'wait', { kind: 'approval', node: 'approve', since: '2026-12-07T09:00:00Z' });
    await appendRunEvent(h.db, runId, 'decision', { node: 'approve', kind: 'approval', resolution: 'decided' });
    await finish(h.db, runId);
    const seen = [];
    for await (const event of sdk.runs.stream(runId)) seen.push([event.kind, event.seq, event.node ?? null]);
    expect(seen).toEqual([
      ['status', 1, null],
      ['wait', 2, 'approve'],
      ['decision', 3, 'approve'],
      ['status', 4, null],
      ['end', 4, null],
    ]);
    const after = [];
    for await (const event of sdk.runs.stream(runId, { lastEventId: 3 })) after.push(event.kind);
    expect(after).toEqual(['status', 'end']);
  });

  it('answers 404 to another member, as GET /runs/{id} does; an admin may stream it', async () => {
    const runId = await newRun();
    const other = await h.caller('member', 'stream-other');
    const foreign = await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: other.key });
    expect(foreign.status).toBe(404);
    const admin = await h.caller('admin', 'stream-admin');
    const allowed = await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: admin.key });
    expect(allowed.status).toBe(200);
    const stream = readStream(allowed);
    await finish(h.db, runId);
    await stream.closed;
    expect(stream.events.at(-1)?.event).toBe('end');
  });

  it.runIf(kind === 'postgres')('is woken by events another replica appends (NOTIFY, one database)', async () => {
    const runId = await newRun();
    const stream = readStream(await h.call('GET', `/api/v1/runs/${runId}/stream`, { key: owner.key }));
    const { openPostgres } = await import('../../src/store/postgres-driver.ts');
    const { testDatabaseUrl } = await import('../helpers/databases.ts');
    const replica = openPostgres({ connectionString: testDatabaseUrl, schema: h.db.schema, poolSize: 2 });
    try {
      const started = Date.now();
      await appendRunEvent(replica, runId, 'attempt_started', { attempt: 1 });
      await waitFor(() => stream.events.length === 1, { message: "the other replica's event" });
      // Well before the 5 s fallback re-read: the notification woke it.
      expect(Date.now() - started).toBeLessThan(4000);
      await finish(replica, runId);
      await stream.closed;
      expect(stream.events.map((e) => e.event)).toEqual(['status', 'status', 'end']);
    } finally {
      await replica.close();
    }
  });
});
