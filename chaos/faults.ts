import type { Database } from '../src/store/database.ts';
import { applicationNameOf } from '../src/store/application-name.ts';
import type { FaultKind } from './fault-plan.ts';
import type { PostgresCluster } from './postgres-cluster.ts';
import type { Replica } from './replica.ts';

/** What happened when a fault was injected: the window the report measures recovery from. */
export interface FaultRecord {
  kind: FaultKind;
  /** The replica it hit (none for pg-restart). */
  target: string | null;
  startedAt: number;
  /** When the fault's action was over: killed, resumed (SIGCONT), accepting again, the last drop, restarted skewed. */
  endedAt: number;
  detail: Record<string, unknown>;
}

export interface FaultContext {
  replicas: Replica[];
  cluster: PostgresCluster;
  /** The chaos run's own connection (application_name `chaos-monitor`, never dropped). */
  monitor: Database;
  random: () => number;
  leaseMs: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pick(context: FaultContext, eligible: (replica: Replica) => boolean): Replica {
  const candidates = context.replicas.filter((replica) => replica.alive && !replica.stopped && eligible(replica));
  const pool = candidates.length > 0 ? candidates : context.replicas.filter((replica) => replica.alive);
  return pool[Math.floor(context.random() * pool.length)]!;
}

/** The replica's id, as it registered in `replicas` (by its pid). */
async function replicaRow(
  context: FaultContext,
  replica: Replica,
): Promise<{ id: string; clock_offset_ms: number } | undefined> {
  const { rows } = await context.monitor.query<{ id: string; clock_offset_ms: number }>(
    'SELECT id, clock_offset_ms FROM replicas WHERE pid = $1 ORDER BY started_at DESC LIMIT 1',
    [replica.pid],
  );
  return rows[0];
}

/** Injects one fault and resolves when its action is over (a killed replica is restarted before). */
export async function injectFault(kind: FaultKind, context: FaultContext): Promise<FaultRecord> {
  const startedAt = Date.now();
  switch (kind) {
    case 'kill': {
      const target = pick(context, () => true);
      await target.kill();
      const endedAt = Date.now();
      // Down for a few seconds, as a crashed container would be, then back with the same settings.
      await sleep(3000);
      const restartAt = Date.now();
      await target.start();
      return {
        kind,
        target: target.name,
        startedAt,
        endedAt,
        detail: { down_ms: restartAt - endedAt, restart_ms: Date.now() - restartAt },
      };
    }
    case 'stop': {
      const target = pick(context, () => true);
      const frozenMs = context.leaseMs + 3000;
      target.signal('SIGSTOP');
      await sleep(frozenMs);
      target.signal('SIGCONT');
      return {
        kind,
        target: target.name,
        startedAt,
        endedAt: Date.now(),
        detail: { frozen_ms: frozenMs, lease_ms: context.leaseMs },
      };
    }
    case 'pg-restart': {
      await context.cluster.restart();
      return { kind, target: null, startedAt, endedAt: Date.now(), detail: { restart_ms: Date.now() - startedAt } };
    }
    case 'pg-drop': {
      const target = pick(context, () => true);
      const row = await replicaRow(context, target);
      const name = row ? applicationNameOf(row.id) : undefined;
      const terminated: number[] = [];
      for (let i = 0; i < 5 && name; i++) {
        const { rows } = await context.monitor.query<{ n: number }>(
          'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [name],
        );
        terminated.push(rows[0]!.n);
        if (i < 4) await sleep(1000);
      }
      return {
        kind,
        target: target.name,
        startedAt,
        endedAt: Date.now(),
        detail: { application_name: name ?? null, terminated },
      };
    }
    case 'skew': {
      const target = pick(context, (replica) => replica.skewSeconds === 0);
      const skewed = context.replicas.filter((replica) => replica.skewSeconds !== 0).length;
      await target.terminate();
      target.skewSeconds = skewed % 2 === 0 ? 30 : -30;
      await target.start();
      const row = await replicaRow(context, target);
      return {
        kind,
        target: target.name,
        startedAt,
        endedAt: Date.now(),
        detail: {
          host_clock: `${target.skewSeconds > 0 ? '+' : ''}${target.skewSeconds}s`,
          measured_offset_ms: row ? Math.round(row.clock_offset_ms) : null,
        },
      };
    }
  }
}
