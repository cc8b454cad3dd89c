import { Kairos } from '../../src/app.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../helpers/databases.ts';

export interface TriggerHarness {
  kairos: Kairos;
  test: TestDatabase;
  /** The http assistant's server: records the request (and the input) of each run. */
  agent: AssistantServer;
  assistantId: string;
  /** A request to the in-process app (local mode: no key needed for /api/v1). */
  call(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * One whole replica (API, scheduler, worker) on a fresh database, in local mode, with an http
 * assistant pointing at a local recording server.
 */
export async function createTriggerHarness(
  kind: TestDatabaseKind,
  env: Record<string, string> = {},
): Promise<TriggerHarness> {
  const test = await createTestDatabase(kind);
  const agent = await startAssistantServer();
  const config = loadConfig({
    KAIROS_LOG_LEVEL: 'silent',
    KAIROS_DEMO: 'false',
    KAIROS_HTTP_ALLOW_PRIVATE: 'true',
    KAIROS_POLL_INTERVAL_MS: '500',
    KAIROS_WORKER_SLOTS: '4',
    ...env,
  });
  const kairos = await Kairos.create({ config, db: test.db });
  await kairos.start();
  const assistant = await insertAssistant(test.db, {
    ownerId: localAdminId,
    name: 'agent',
    kind: 'http',
    config: { url: agent.url },
  });
  return {
    kairos,
    test,
    agent,
    assistantId: assistant.id,
    call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      const body =
        options.body === undefined
          ? undefined
          : typeof options.body === 'string' || Buffer.isBuffer(options.body)
            ? options.body
            : JSON.stringify(options.body);
      return Promise.resolve(kairos.api.request(path, { method, headers, body: body as string | undefined }));
    },
    async close() {
      await kairos.close();
      await agent.close();
      await test.close();
    },
  };
}
