import type { Database } from '../store/database.ts';
import { eventsForWait, lockEventName } from '../store/events.ts';
import type { StepFence } from '../store/run-steps.ts';
import { insertWait, resolveWait, type WaitRequest, type WaitRow } from '../store/waits.ts';
import { eventMatches, eventResult } from './event-wait.ts';
import { wokeResult } from './timer-wait.ts';

/**
 * Opens the wait of a node of a run held by this attempt (or finds the one it opened before:
 * resumed runs come back here and get the resolved wait) in one transaction. A fresh wait that
 * can end at once does: a timer already due wakes, and an event wait takes the oldest matching
 * event received since `since - lookback` (Hatchet's rule: a reply sent before the wait began is
 * not lost) that no other wait of the run took. The event name is locked meanwhile, so an event
 * sent at the same moment is seen either here or by the sender's match, never by neither.
 * Undefined when the lease is gone.
 *
 * @example
 * const wait = await openWait(db, fence, request, run.input, new Date(clock.now()));
 * if (wait?.resolved_at === null) throw new RunParked(wait);
 */
export async function openWait(
  db: Database,
  fence: StepFence,
  request: WaitRequest,
  input: unknown,
  now: Date,
): Promise<WaitRow | undefined> {
  return db.transaction(async (tx) => {
    if (request.kind === 'event' && request.eventName !== null) await lockEventName(tx, db.schema, request.eventName);
    const wait = await insertWait(tx, fence, request);
    if (!wait || wait.resolved_at !== null) return wait;
    const key = { runId: wait.run_id, nodeKey: wait.node_key };
    if (wait.kind === 'time' && wait.until !== null && wait.until.getTime() <= now.getTime()) {
      return (await resolveWait(tx, key, { resolution: 'woke', at: now, result: wokeResult(now) })) ?? wait;
    }
    if (wait.kind === 'event') {
      const from = new Date(wait.since.getTime() - Number(wait.lookback_ms));
      for (const event of await eventsForWait(tx, wait, from)) {
        if (!eventMatches(wait.match, event, input)) continue;
        const resolved = await resolveWait(tx, key, {
          resolution: 'event',
          at: now,
          result: eventResult(event),
          eventId: event.id,
        });
        return resolved ?? wait;
      }
    }
    return wait;
  });
}
