/**
 * DBOS Transact (`@dbos-inc/dbos-sdk`) in the `workflow` workload of bench:peers: its own system
 * database (`bench_dbos_<pid>`, created here, dropped after), one process at DBOS's defaults
 * (dbos-worker.ts) that submits and runs the workflows in process, as a DBOS application does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase, type WorkflowPeer, type WorkflowTiming } from './workflow.ts';

const script = fileURLToPath(new URL('./dbos-worker.ts', import.meta.url));

type Reply = { ready?: true; timings?: WorkflowTiming[]; error?: string };

export const dbosPeer: WorkflowPeer = {
  name: 'dbos',
  settings: 'DBOS Transact 5.3 at its defaults, one process; startWorkflow + getResult in process',
  async open({ databaseUrl, receiverUrl }) {
    const database = `bench_dbos_${process.pid}`;
    const created = await createBenchDatabase(databaseUrl, database);
    const child: ChildProcess = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_DBOS_DATABASE_URL: created.url, BENCH_DBOS_RECEIVER: receiverUrl },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    const reply = () =>
      new Promise<Reply>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the DBOS process exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (message: Reply) => {
          child.off('exit', onExit);
          resolve(message);
        });
      });
    try {
      await reply();
    } catch (error) {
      await created.drop();
      throw error;
    }
    return {
      database,
      async phase(count, inFlight) {
        const answer = reply();
        child.send({ count, inFlight });
        const message = await answer;
        if (message.error) throw new Error(message.error);
        return message.timings!;
      },
      async rowBytes(keys) {
        const client = new pg.Client({ connectionString: created.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ bytes: string }>(
            `SELECT (SELECT coalesce(sum(pg_column_size(w.*)), 0) FROM dbos.workflow_status w WHERE w.workflow_uuid = ANY($1::text[]))
               + (SELECT coalesce(sum(pg_column_size(o.*)), 0) FROM dbos.operation_outputs o WHERE o.workflow_uuid = ANY($1::text[]))
               + (SELECT coalesce(sum(pg_column_size(i.*)), 0) FROM dbos.workflow_input i WHERE i.workflow_uuid = ANY($1::text[]))
               + (SELECT coalesce(sum(pg_column_size(o.*)), 0) FROM dbos.workflow_output o WHERE o.workflow_uuid = ANY($1::text[])) AS bytes`,
            [keys],
          );
          return Number(rows[0]!.bytes);
        } finally {
          await client.end();
        }
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(kill);
        }
        process.off('exit', killOnExit);
        await created.drop();
      },
    };
  },
};
