/** The `workflow` workload's side of bench:peers: which peers run it, and its part of the output. */
import { dbosPeer } from './dbos.ts';
import { kairosWorkflowPeer } from './kairos-workflow.ts';
import { renderWorkflowTable, runWorkflowRounds, type WorkflowPeer } from './workflow.ts';

const workflowPeers: Record<string, WorkflowPeer> = { 'kairos-http': kairosWorkflowPeer, dbos: dbosPeer };

/** Peers (by their --peers name) that only run the workflow workload. */
export const workflowOnlyPeers = ['dbos'];

/** Runs the workflow workload for the named peers that can; resolves with results by peer and the table. */
export async function runWorkflowWorkload(
  names: string[],
  options: { databaseUrl: string; tag: string },
  log: (line: string) => void,
) {
  const peers = names.flatMap((name) => (workflowPeers[name] ? [workflowPeers[name]] : []));
  // BENCH_WORKFLOW_ROUNDS / BENCH_WORKFLOW_SETTLE_MS shorten a smoke run (the figures need the defaults).
  const env = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const results = await runWorkflowRounds(
    peers,
    { ...options, rounds: env('BENCH_WORKFLOW_ROUNDS'), settleMs: env('BENCH_WORKFLOW_SETTLE_MS') },
    log,
  );
  return {
    results,
    table: renderWorkflowTable(results),
    settings: Object.fromEntries(peers.map((peer) => [peer.name, peer.settings])),
  };
}
