import pg from 'pg';

/** Held for a replica's lifetime: proof that no other live process uses its KAIROS_REPLICA_ID. */
export interface ReplicaLock {
  release(): Promise<void>;
}

export class ReplicaIdInUseError extends Error {
  readonly code = 'replica_id_in_use';
}

/** The advisory lock key of a replica id: per schema, so that two schemas on one server never collide. */
const lockKey = (schema: string, replicaId: string) => `kairos-replica:${schema}:${replicaId}`;

/**
 * Takes a session-level advisory lock on `replicaId` on a connection of its own (a direct one:
 * a transaction-mode pooler cannot hold session locks) and keeps it until `release()`. Rejects with
 * ReplicaIdInUseError, naming the id, when another live session holds it. The lock goes with its
 * connection: after a lost connection (a restart, a failover) it is taken again as soon as the
 * server answers; `lost` is told if another process took the id in between.
 *
 * @example
 * const lock = await lockReplicaId({ connectionString, schema: 'kairos', replicaId: 'worker-1' });
 * // … the runs leased to worker-1 are this process's predecessor's: recover them at once …
 * await lock.release();
 */
export async function lockReplicaId(options: {
  connectionString: string;
  schema: string;
  replicaId: string;
  applicationName?: string;
  lost?: (error: Error) => void;
  retryMs?: number;
}): Promise<ReplicaLock> {
  const key = lockKey(options.schema, options.replicaId);
  let released = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let told = false;

  async function take(): Promise<pg.Client> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: 5000,
      ...(options.applicationName && { application_name: options.applicationName }),
    });
    next.on('error', () => {});
    await next.connect();
    try {
      const { rows } = await next.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [key],
      );
      if (!rows[0]!.locked)
        throw new ReplicaIdInUseError(
          `KAIROS_REPLICA_ID=${options.replicaId} is held by another live Kairos process on this database ` +
            '(schema ' +
            options.schema +
            '): give each replica its own id, or stop the other one first',
        );
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    next.once('end', () => {
      if (client === next) client = undefined;
      if (!released) retake();
    });
    return next;
  }

  function retake(): void {
    clearTimeout(retry);
    retry = setTimeout(() => {
      if (released) return;
      take().then(
        (taken) => {
          told = false;
          if (released) void taken.end();
          else client = taken;
        },
        (error: Error) => {
          if (error instanceof ReplicaIdInUseError && !told) {
            told = true;
            options.lost?.(error);
          }
          retake();
        },
      );
    }, options.retryMs ?? 1000);
    retry.unref();
  }

  client = await take();
  return {
    async release() {
      released = true;
      clearTimeout(retry);
      const held = client;
      client = undefined;
      // Ending the session releases its advisory locks.
      await held?.end().catch(() => {});
    },
  };
}
