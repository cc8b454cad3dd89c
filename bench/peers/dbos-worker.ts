/**
 * The DBOS Transact process of the `workflow` workload (bench/peers/dbos.ts forks it): DBOS at its
 * defaults on its own system database, one workflow of 5 steps, each step a POST to the
 * receiver. The parent sends `{count, inFlight}`; this process starts the workflows as an
 * application does (`DBOS.startWorkflow` … `getResult()`) and answers with their timings.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

const receiverUrl = process.env.BENCH_DBOS_RECEIVER!;
const now = () => performance.timeOrigin + performance.now();

async function post(runId: string, step: number, input: unknown): Promise<unknown> {
  const response = await fetch(receiverUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ run_id: runId, step, input }),
  });
  if (!response.ok) throw new Error(`receiver answered ${response.status}`);
  return response.json();
}

const fiveSteps = DBOS.registerWorkflow(
  async (input: unknown) => {
    const id = DBOS.workflowID!;
    let previous = input;
    for (let step = 0; step < 5; step++)
      previous = await DBOS.runStep(() => post(id, step, previous), { name: `s${step}` });
    return previous;
  },
  { name: 'fiveSteps' },
);

DBOS.setConfig({ name: 'bench-peers', systemDatabaseUrl: process.env.BENCH_DBOS_DATABASE_URL! });
await DBOS.launch();

async function one(n: number) {
  const submit = now();
  const handle = await DBOS.startWorkflow(fiveSteps)({ n });
  await handle.getResult();
  return { key: handle.workflowID, submit, done: now() };
}

process.on('message', (message: { count: number; inFlight: number }) => {
  void (async () => {
    const timings: Array<{ key: string; submit: number; done: number }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: message.inFlight }, async () => {
        while (next < message.count) timings.push(await one(next++));
      }),
    );
    process.send!({ timings });
  })().catch((error: unknown) => process.send!({ error: String(error) }));
});
process.once('SIGTERM', () => {
  void DBOS.shutdown().finally(() => process.exit(0));
});
process.send!({ ready: true });
