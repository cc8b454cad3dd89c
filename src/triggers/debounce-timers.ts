import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { createRuns, type RunDraft } from '../runs/create-runs.ts';
import { resolveRetry } from '../runs/run-policy.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import {
  deleteDebounces,
  earliestDebounceDue,
  linkDebouncedDeliveries,
  lockDueDebounces,
  type DueDebounce,
} from '../store/trigger-debounces.ts';
import { Wakeup } from '../wakeup.ts';

export interface DebounceTimersOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Fallback poll for lost notifications (ms). */
  pollIntervalMs: number;
  /** A debounced run that cannot start within this long fails with `capacity`. */
  startDeadlineMs: number;
  /** Debounces claimed per transaction (default 200). */
  batchSize?: number;
}

/** "the last of 3 debounced deliveries of key "acme"" */
function lastOf(row: DueDebounce): string {
  const key = row.debounce_key === '' ? '' : ` of key ${JSON.stringify(row.debounce_key)}`;
  return `the last of ${row.deliveries} debounced ${row.deliveries === 1 ? 'delivery' : 'deliveries'}${key}`;
}

/** The run of a due debounce: the last delivery's input, as the trigger's owner, now. */
function draftOf(row: DueDebounce, now: Date, startDeadlineMs: number): RunDraft {
  return {
    id: randomUUID(),
    trigger_id: row.trigger_id,
    assistant_id: row.assistant_id,
    workflow_id: row.workflow_id,
    owner_id: row.owner_id,
    trigger: 'event',
    not_before: now,
    start_deadline: new Date(now.getTime() + startDeadlineMs),
    input: row.input,
    metadata: {
      trigger_id: row.trigger_id,
      delivery_id: row.delivery_id,
      ...(row.delivery_key && { delivery_key: row.delivery_key }),
      debounce: {
        key: row.debounce_key,
        deliveries: row.deliveries,
        first_received_at: row.first_received_at.toISOString(),
      },
    },
    // One attempt, like every delivery's run: the sender retries a delivery itself.
    policy: { ...resolveRetry(undefined), timeout_ms: row.timeout_ms },
    priority: row.priority ?? 3,
    created_at: now,
  };
}

/**
 * Starts the runs of debounced triggers (docs/triggers.md, "Debounce") on every replica of the
 * scheduler role: sleeps until the earliest due debounce (database time), a notification on
 * `debounces` (a delivery was held) or the fallback poll, then claims what is due. Each claim is
 * one transaction that locks due rows `FOR UPDATE SKIP LOCKED`, creates their runs through
 * createRuns and deletes the rows, so that any number of replicas start each burst's run exactly
 * once; a pending debounce survives a restart as its row, and is claimed at the first pass after.
 *
 * @example
 * const timers = new DebounceTimers({ db, clock, logger, pollIntervalMs: 5000, startDeadlineMs: 600_000 });
 * await timers.start(); … await timers.close();
 */
export class DebounceTimers {
  readonly name = 'debounce-timers';
  private closed = false;
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly wakeup = new Wakeup();

  constructor(private readonly options: DebounceTimersOptions) {}

  /** One claim: the runs of up to a batch of due debounces, created in one transaction. Returns their ids. */
  async claim(): Promise<string[]> {
    const { db, clock, startDeadlineMs } = this.options;
    const now = new Date(clock.now());
    return db.transaction(async (tx) => {
      const rows = await lockDueDebounces(tx, now, this.options.batchSize ?? 200);
      if (rows.length === 0) return [];
      // A trigger disabled meanwhile starts nothing: its pending burst is dropped, and the history says so.
      const firing = rows.filter((row) => row.enabled);
      const drafts = firing.map((row) => draftOf(row, now, startDeadlineMs));
      if (drafts.length > 0) await createRuns(db, drafts, tx);
      await deleteDebounces(tx, rows);
      const runIds = new Map(firing.map((row, i) => [row.delivery_id, drafts[i]!.id!]));
      await linkDebouncedDeliveries(
        tx,
        rows.map((row) => ({
          delivery_id: row.delivery_id,
          run_id: runIds.get(row.delivery_id) ?? null,
          reason: `${lastOf(row)}: ${row.enabled ? 'started the run with its input' : 'no run, the trigger was disabled before it was due'}`,
        })),
      );
      return drafts.map((draft) => draft.id!);
    });
  }

  /** One pass: claims every due debounce (batch after batch). Returns the runs created. */
  async tick(): Promise<string[]> {
    const created: string[] = [];
    const batchSize = this.options.batchSize ?? 200;
    for (;;) {
      const runs = await this.claim();
      created.push(...runs);
      if (runs.length < batchSize || this.closed) return created;
    }
  }

  async start(): Promise<void> {
    this.unlisten = await this.options.db.listen('debounces', () => this.wakeup.wake());
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { clock, logger, db, pollIntervalMs } = this.options;
    while (!this.closed) {
      let delay = pollIntervalMs;
      try {
        let earliest = await earliestDebounceDue(db);
        if (earliest && earliest.getTime() <= clock.now()) {
          const created = await this.tick();
          if (created.length > 0) logger.debug({ runs: created.length }, 'debounced deliveries: runs started');
          earliest = await earliestDebounceDue(db);
          // Still due: another replica (or a delivery) holds those rows right now; look again shortly.
          if (earliest && earliest.getTime() <= clock.now()) delay = Math.min(delay, 5);
        }
        if (earliest) delay = Math.min(delay, Math.max(1, earliest.getTime() - clock.now()));
      } catch (error) {
        if (this.closed) break;
        if (isConnectionError(error))
          logger.debug({ err: error }, 'debounce timers failed: database unreachable; retrying');
        else logger.error({ err: error }, 'debounce timers failed; retrying');
        delay = Math.min(1000, pollIntervalMs);
      }
      if (!this.closed) await this.wakeup.wait(delay);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeup.wake();
    await this.loop;
    await this.unlisten?.();
  }
}
