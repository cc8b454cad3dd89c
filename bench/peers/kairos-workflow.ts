/**
 * Kairos in the `workflow` workload of bench:peers: its own database, 2 `kairos serve` replicas
 * (scheduler + worker) at defaults, a 5-step workflow whose steps are the `http` assistant
 * POSTing to the workload's receiver. A workflow is submitted as the API does
 * (`WorkflowService.run`: the run row and its NOTIFY) and seen finished by its `run_finished`
 * notification.
 */
import { fileURLToPath } from 'node:url';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId, type Actor } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { createBenchDatabase, now, stepsPerWorkflow, type WorkflowPeer, type WorkflowTiming } from './workflow.ts';
import { spawnWorker, type Worker } from './workload.ts';

const bin = fileURLToPath(new URL('../../bin/kairos.js', import.meta.url));
const admin: Actor = { userId: localAdminId, role: 'admin' };
const schema = 'bench';

export const kairosWorkflowPeer: WorkflowPeer = {
  name: 'kairos (http)',
  settings: 'defaults, 2 replicas (scheduler + worker); steps are the `http` assistant; submitted as the API does',
  async open({ databaseUrl, receiverUrl }) {
    const database = `bench_kairos_${process.pid}`;
    const created = await createBenchDatabase(databaseUrl, database);
    const db = openPostgres({ connectionString: created.url, schema, poolSize: 4 });
    let workers: Worker[] = [];
    try {
      await migrate(db);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'bench', 'http', $2) RETURNING id`,
        [localAdminId, JSON.stringify({ url: receiverUrl })],
      );
      const registry = createModuleRegistry([]);
      const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };
      const workflows = new WorkflowService({
        db,
        clock: systemClock,
        assistants: createAssistantService({ db, config, registry }),
        registry,
        startDeadlineMs: 300_000,
      });
      const workflow = await workflows.create(admin, {
        name: 'bench-five-steps',
        steps: Array.from({ length: stepsPerWorkflow }, (_, i) => ({
          type: 'step' as const,
          name: `s${i}`,
          assistant_id: rows[0]!.id,
        })),
      });
      const finished = new Map<string, number>();
      const waiting = new Map<string, () => void>();
      await db.listen('run_finished', (id) => {
        finished.set(id, now());
        waiting.get(id)?.();
      });
      workers = await Promise.all(
        [0, 1].map(() =>
          spawnWorker(
            [bin, 'serve'],
            {
              DATABASE_URL: created.url,
              KAIROS_DB_SCHEMA: schema,
              KAIROS_ROLES: 'scheduler,worker',
              KAIROS_HTTP_ALLOW_PRIVATE: 'true',
            },
            'started without the api role',
          ),
        ),
      );
      const one = async (n: number): Promise<WorkflowTiming> => {
        const submit = now();
        const run = await workflows.run(admin, workflow.id, { input: { n } });
        if (!finished.has(run.id)) await new Promise<void>((resolve) => waiting.set(run.id, resolve));
        waiting.delete(run.id);
        return { key: run.id, submit, done: finished.get(run.id)! };
      };
      return {
        database,
        async phase(count, inFlight) {
          const timings: WorkflowTiming[] = [];
          let next = 0;
          await Promise.all(
            Array.from({ length: inFlight }, async () => {
              while (next < count) timings.push(await one(next++));
            }),
          );
          const { rows: failed } = await db.query<{ id: string; status: string; error: string | null }>(
            `SELECT id, status, error FROM runs WHERE id = ANY($1::uuid[]) AND status <> 'success' LIMIT 3`,
            [timings.map((t) => t.key)],
          );
          if (failed.length > 0) throw new Error(`runs did not succeed: ${JSON.stringify(failed)}`);
          return timings;
        },
        async rowBytes(keys) {
          const { rows: sizes } = await db.query<{ bytes: number }>(
            `SELECT (SELECT coalesce(sum(pg_column_size(r.*)), 0) FROM runs r WHERE r.id = ANY($1::uuid[]))
               + (SELECT coalesce(sum(pg_column_size(s.*)), 0) FROM run_steps s WHERE s.run_id = ANY($1::uuid[]))
               + (SELECT coalesce(sum(pg_column_size(e.*)), 0) FROM run_events e WHERE e.run_id = ANY($1::uuid[])) AS bytes`,
            [keys],
          );
          return Number(sizes[0]!.bytes);
        },
        async stop() {
          await Promise.all(workers.map((w) => w.stop()));
          await db.close();
          await created.drop();
        },
      };
    } catch (error) {
      await Promise.all(workers.map((w) => w.stop()));
      await db.close();
      await created.drop();
      throw error;
    }
  },
};
