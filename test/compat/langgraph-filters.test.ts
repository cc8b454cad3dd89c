import { Client, type Cron } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { createTestDatabase, testDatabaseUrl, uniqueSchema, type TestDatabase } from '../helpers/databases.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';

const digestId = '00000000-0000-4000-8000-00000000d1e5';
const graph = 'kairos-digest';

// Every filter of crons.search and crons.count narrows the result, alone and combined, through
// the official SDK, with another user's crons and an unrelated assistant's crons present.
describe('@langchain/langgraph-sdk crons.search/count keep every filter (keys mode, two users)', () => {
  let database: TestDatabase;
  let server: KairosProcess;
  let alice: Client;
  let bob: Client;
  let aliceKey: string;
  const crons: Record<'digest' | 'ownGraph' | 'unrelated' | 'threaded' | 'bobs', { cron_id: string }> = {} as never;
  let ownGraphAssistant: string;
  let unrelatedAssistant: string;
  let threadId: string;

  beforeAll(async () => {
    const schema = uniqueSchema('lgfilters');
    database = await createTestDatabase('postgres', { schema });
    aliceKey = (await issueKeyDirect(database.db, { role: 'member', userName: 'alice' })).key;
    const bobKey = (await issueKeyDirect(database.db, { role: 'member', userName: 'bob' })).key;
    server = await startKairosProcess({
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: schema,
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_CRON_RUN_ON_CREATE: 'false',
    });
    alice = new Client({ apiUrl: server.url, apiKey: aliceKey, callerOptions: { maxRetries: 0 } });
    bob = new Client({ apiUrl: server.url, apiKey: bobKey, callerOptions: { maxRetries: 0 } });

    // Alice's second assistant of the same graph, and an assistant of another graph.
    ownGraphAssistant = (await alice.assistants.create({ graphId: graph, name: 'alice digest' })).assistant_id;
    const unrelated = await fetch(`${server.url}/api/v1/assistants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': aliceKey },
      body: JSON.stringify({
        name: 'unrelated',
        kind: 'http',
        graph_id: 'other-graph',
        config: { url: 'http://127.0.0.1:9/agent' },
      }),
    });
    expect(unrelated.status).toBe(201);
    unrelatedAssistant = ((await unrelated.json()) as { id: string }).id;
    threadId = (await alice.threads.create({ metadata: {} })).thread_id;

    const yearly = '0 9 1 1 *';
    crons.digest = await alice.crons.create(digestId, { schedule: yearly, metadata: { team: 'a', n: 1 } });
    crons.ownGraph = await alice.crons.create(ownGraphAssistant, {
      schedule: yearly,
      metadata: { team: 'a', n: 2 },
      enabled: false,
    });
    crons.unrelated = await alice.crons.create(unrelatedAssistant, { schedule: yearly, metadata: { team: 'a', n: 3 } });
    crons.threaded = await alice.crons.createForThread(threadId, graph, { schedule: yearly, metadata: { team: 'b' } });
    crons.bobs = await bob.crons.create(graph, { schedule: yearly, metadata: { team: 'a', n: 1 } });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await database?.close();
  });

  const ids = (list: Cron[]) => list.map((cron) => cron.cron_id).sort();
  const of = (...names: Array<keyof typeof crons>) => names.map((name) => crons[name].cron_id).sort();
  type Filters = { assistantId?: string; threadId?: string; enabled?: boolean; metadata?: Record<string, unknown> };
  /** search (through the SDK) and count (through the SDK, or the route itself for `enabled`, which the SDK's count does not send). */
  async function both(filters: Filters): Promise<{ found: string[]; counted: number }> {
    const found = ids(await alice.crons.search({ ...filters, limit: 100 }));
    let counted: number;
    if (filters.enabled === undefined) {
      counted = await alice.crons.count(filters);
    } else {
      const response = await fetch(`${server.url}/runs/crons/count`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': aliceKey },
        body: JSON.stringify({
          ...(filters.assistantId && { assistant_id: filters.assistantId }),
          ...(filters.threadId && { thread_id: filters.threadId }),
          enabled: filters.enabled,
          ...(filters.metadata && { metadata: filters.metadata }),
        }),
      });
      expect(response.status).toBe(200);
      counted = (await response.json()) as number;
    }
    return { found, counted };
  }

  const cases: Array<[string, Filters, Array<keyof typeof crons>]> = [
    ['no filter: only her own crons', {}, ['digest', 'ownGraph', 'unrelated', 'threaded']],
    [
      'a graph id: every assistant of the graph, not the unrelated one',
      { assistantId: graph },
      ['digest', 'ownGraph', 'threaded'],
    ],
    ['an assistant id', { assistantId: digestId }, ['digest', 'threaded']],
    ['her own assistant of the graph', { assistantId: 'own' }, ['ownGraph']],
    ['the other graph', { assistantId: 'other-graph' }, ['unrelated']],
    ['the unrelated assistant id', { assistantId: 'unrelated' }, ['unrelated']],
    ['an unknown graph id', { assistantId: 'no-such-graph' }, []],
    ['a thread id', { threadId: 'thread' }, ['threaded']],
    ['enabled: false', { enabled: false }, ['ownGraph']],
    ['enabled: true', { enabled: true }, ['digest', 'unrelated', 'threaded']],
    ['metadata (one key)', { metadata: { team: 'a' } }, ['digest', 'ownGraph', 'unrelated']],
    ['metadata (two keys)', { metadata: { team: 'a', n: 2 } }, ['ownGraph']],
    ['graph + enabled', { assistantId: graph, enabled: true }, ['digest', 'threaded']],
    ['graph + metadata', { assistantId: graph, metadata: { team: 'a' } }, ['digest', 'ownGraph']],
    ['graph + thread', { assistantId: graph, threadId: 'thread' }, ['threaded']],
    ['graph + enabled + metadata', { assistantId: graph, enabled: false, metadata: { n: 2 } }, ['ownGraph']],
    ['graph + metadata of the unrelated cron', { assistantId: graph, metadata: { n: 3 } }, []],
    [
      'assistant + thread + metadata',
      { assistantId: digestId, threadId: 'thread', metadata: { team: 'b' } },
      ['threaded'],
    ],
    ['assistant + thread + other metadata', { assistantId: digestId, threadId: 'thread', metadata: { team: 'a' } }, []],
  ];

  it.each(cases)('%s', async (_, filters, expected) => {
    // Ids that only exist once beforeAll ran are named by placeholder in the table.
    const resolved: Filters = { ...filters };
    if (filters.assistantId === 'own') resolved.assistantId = ownGraphAssistant;
    if (filters.assistantId === 'unrelated') resolved.assistantId = unrelatedAssistant;
    if (filters.threadId === 'thread') resolved.threadId = threadId;
    const { found, counted } = await both(resolved);
    expect(found).toEqual(of(...expected));
    expect(counted).toBe(expected.length);
  });

  it("never shows another user's crons, whatever the filter", async () => {
    expect(ids(await bob.crons.search({ assistantId: graph }))).toEqual([crons.bobs.cron_id]);
    expect(await bob.crons.count({ metadata: { team: 'a' } })).toBe(1);
    expect(await bob.crons.count({ assistantId: ownGraphAssistant })).toBe(0);
    expect(await bob.crons.search({ threadId })).toEqual([]);
  });
});
