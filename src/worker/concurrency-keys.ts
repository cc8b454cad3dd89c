import type { ClaimCandidate, KeyRunning } from '../store/claim-runs.ts';

/** What one claim knows of a concurrency key, updated as it decides its candidates in order. */
export interface KeyState {
  /** Running runs not asked to stop, oldest first. */
  running: string[];
  /** Running runs asked to stop: each slot is promised to one waiting run. */
  cancelling: number;
  /** Promised slots already taken by waiting runs (this claim's `cancel_oldest` candidates). */
  promised: number;
  /** Runs this claim lets start. */
  started: number;
}

export type KeyDecision = { kind: 'start' } | { kind: 'hold'; cancel?: string } | { kind: 'skip' };

/** The key of a candidate as its lock and state are named: `<scope>/<key>`. */
export function keyOf(c: Pick<ClaimCandidate, 'concurrency_scope' | 'concurrency_key'>): string {
  return `${c.concurrency_scope}/${c.concurrency_key}`;
}

/** Each locked key's state from its running runs (a key with none starts empty). */
export function keyStates(running: readonly KeyRunning[]): Map<string, KeyState> {
  const states = new Map<string, KeyState>();
  for (const row of running)
    states.set(`${row.scope}/${row.key}`, {
      running: [...row.ids],
      cancelling: row.cancelling,
      promised: 0,
      started: 0,
    });
  return states;
}

/**
 * Decides one candidate over its key (the caller holds the key's try-lock, so the count of
 * running runs is exact across replicas): below `limit` it starts; at the limit, `queue` holds it
 * (pending, first in first out), `skip` records it skipped, `cancel_oldest` asks the oldest
 * running run of the key to stop and holds it until that slot is free. A slot already being freed
 * is promised to one waiting run, so that a run held for it does not cancel another one.
 */
export function decideKey(strategy: 'queue' | 'skip' | 'cancel_oldest', limit: number, state: KeyState): KeyDecision {
  if (state.running.length + state.cancelling + state.started < limit) {
    state.started++;
    return { kind: 'start' };
  }
  if (strategy === 'skip') return { kind: 'skip' };
  if (strategy === 'queue') return { kind: 'hold' };
  if (state.promised < state.cancelling) {
    state.promised++;
    return { kind: 'hold' };
  }
  const oldest = state.running.shift();
  if (oldest === undefined) return { kind: 'hold' };
  state.cancelling++;
  state.promised++;
  return { kind: 'hold', cancel: oldest };
}
