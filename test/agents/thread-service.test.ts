import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { createThreadService, threadToJson, type ThreadService } from '../../src/agents/thread-service.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { agentConfig, insertSchedule, insertUser, localAdmin, rejection } from './fixtures.ts';

describe.each(databaseKinds)('ThreadService on %s', (kind) => {
  let testDb: TestDatabase;
  let threads: ThreadService;
  let alice: Actor;
  let bob: Actor;
  let viewer: Actor;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const assistants = createAssistantService({
      db: testDb.db,
      config: agentConfig(),
      registry: createModuleRegistry([]),
    });
    threads = createThreadService({ db: testDb.db, assistants, threadMaxMessages: 3 });
    alice = await insertUser(testDb.db, 'member');
    bob = await insertUser(testDb.db, 'member');
    viewer = await insertUser(testDb.db, 'viewer');
  });
  afterAll(async () => {
    await testDb.close();
  });

  it('creates a thread, appends messages in order, and returns the latest with a count', async () => {
    const assistant = await insertAssistant(testDb.db, {
      ownerId: alice.userId,
      name: 'a',
      kind: 'module',
      config: { module: 'x' },
      graphId: 'g-alice',
    });
    const thread = await threads.create(alice, { assistant_id: 'g-alice', metadata: { topic: 'prices' } });
    expect(thread).toMatchObject({
      ownerId: alice.userId,
      assistantId: assistant.id,
      status: 'idle',
      metadata: { topic: 'prices' },
    });
    const appended = await threads.appendMessages(alice, thread.id, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: { text: 'two' } },
    ]);
    expect(appended.map((m) => m.seq)).toEqual([1, 2]);
    await threads.appendMessages(alice, thread.id, [
      { role: 'user', content: 'three' },
      { role: 'assistant', content: 'four' },
    ]);
    const loaded = await threads.get(alice, thread.id);
    expect(loaded.messageCount).toBe(4);
    expect(loaded.messages.map((m) => [m.seq, m.content])).toEqual([
      [2, { text: 'two' }],
      [3, 'three'],
      [4, 'four'],
    ]);
    expect((await threads.messages(alice, thread.id, { after_seq: 1, limit: 2 })).map((m) => m.seq)).toEqual([2, 3]);
    const json = threadToJson(loaded);
    expect(json).toMatchObject({ id: thread.id, assistant_id: assistant.id, message_count: 4 });
    expect(json.messages?.[0]).toMatchObject({ seq: 2, role: 'assistant', content: { text: 'two' }, run_id: null });
  });

  it('keeps threads to their owners and read-only for viewers', async () => {
    const thread = await threads.create(alice);
    expect((await rejection(threads.get(bob, thread.id))).status).toBe(404);
    expect((await rejection(threads.appendMessages(bob, thread.id, [{ role: 'user', content: 'x' }]))).code).toBe(
      'not_found',
    );
    expect((await rejection(threads.delete(bob, thread.id))).code).toBe('not_found');
    expect((await threads.get(localAdmin, thread.id)).id).toBe(thread.id);
    expect((await rejection(threads.create(viewer))).code).toBe('forbidden');
    expect((await threads.list(bob)).items.map((t) => t.id)).not.toContain(thread.id);
    expect((await threads.list(alice)).items.map((t) => t.id)).toContain(thread.id);
  });

  it('validates messages and filters, naming the field', async () => {
    const thread = await threads.create(alice);
    const role = await rejection(threads.appendMessages(alice, thread.id, [{ role: 'robot' as never, content: 'x' }]));
    expect(role.details).toMatchObject({ field: 'messages.0.role' });
    const extra = await rejection(
      threads.appendMessages(alice, thread.id, [{ role: 'user', content: 'x', name: 'n' } as never]),
    );
    expect(extra.details).toMatchObject({ field: 'messages.0.name' });
    expect((await rejection(threads.list(alice, { status: 'sleeping' as never }))).details).toMatchObject({
      field: 'status',
    });
  });

  it('lists by metadata and status, and updates metadata', async () => {
    const owner = await insertUser(testDb.db, 'member');
    const a = await threads.create(owner, { metadata: { kind: 'watch' } });
    await threads.create(owner, { metadata: { kind: 'chat' } });
    expect((await threads.list(owner, { metadata: { kind: 'watch' } })).items.map((t) => t.id)).toEqual([a.id]);
    expect((await threads.list(owner, { status: 'idle' })).total).toBe(2);
    const updated = await threads.update(owner, a.id, { metadata: { kind: 'archived' } });
    expect(updated.metadata).toEqual({ kind: 'archived' });
  });

  it('deleting a thread deletes its messages and the schedules bound to it', async () => {
    const assistant = await insertAssistant(testDb.db, {
      ownerId: alice.userId,
      name: 'b',
      kind: 'module',
      config: { module: 'x' },
    });
    const thread = await threads.create(alice, { assistant_id: assistant.id });
    await threads.appendMessages(alice, thread.id, [{ role: 'user', content: 'x' }]);
    const bound = await insertSchedule(testDb.db, {
      ownerId: alice.userId,
      assistantId: assistant.id,
      threadId: thread.id,
      sessionMode: 'persistent',
    });
    const unbound = await insertSchedule(testDb.db, { ownerId: alice.userId, assistantId: assistant.id });
    expect(await threads.delete(alice, thread.id)).toEqual({ schedulesDeleted: 1 });
    const { rows } = await testDb.db.query<{ id: string }>('SELECT id FROM schedules WHERE id = ANY($1::uuid[])', [
      [bound, unbound],
    ]);
    expect(rows.map((r) => r.id)).toEqual([unbound]);
    const messages = await testDb.db.query('SELECT 1 FROM messages WHERE thread_id = $1', [thread.id]);
    expect(messages.rows).toEqual([]);
    expect((await rejection(threads.get(alice, thread.id))).code).toBe('not_found');
  });
});
