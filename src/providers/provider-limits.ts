import type { Clock } from '../clock.ts';
import type { Database } from '../store/database.ts';
import {
  findProviderByName,
  pauseProvider,
  reserveProviderCall,
  settleProviderCall,
  type Provider,
} from '../store/providers.ts';
import { providerWindowMs } from './provider-window.ts';

/** The transaction lock of one provider's window: the claim (try-lock) and each model call (wait) take it. */
export function providerLockPrefix(schema: string): string {
  return `${schema}:provider:`;
}

/** Records what a call really used once its answer is in (its `usage.total_tokens`). */
export type SettleCall = (tokens: number | undefined) => Promise<void>;

/**
 * A provider's shared limits as model calls see them (docs/gates.md "Providers"): each call
 * waits until the provider's window admits it and records itself there, across every replica.
 */
export interface ProviderLimits {
  /** The provider `name` of the user `ownerId`, or undefined. */
  find(ownerId: string, name: string): Promise<Provider | undefined>;
  /**
   * Waits (on the clock, abortable) until the provider is not paused and its window holds room
   * for one more request of `tokens` estimated tokens, then records the request.
   */
  reserve(provider: Provider, tokens: number, signal: AbortSignal): Promise<SettleCall>;
  /** Pauses the provider for every run, on every replica, until `until` (ms since the epoch). */
  pause(provider: Provider, until: number): Promise<void>;
  now(): number;
}

/** How often a waiting call looks again even when it expects no room yet (a limit may have changed). */
const recheckMs = 2_000;

export function createProviderLimits(options: { db: Database; clock: Clock }): ProviderLimits {
  const { db, clock } = options;
  const lockPrefix = providerLockPrefix(db.schema);
  return {
    find: (ownerId, name) => findProviderByName(db, ownerId, name),
    async reserve(provider, tokens, signal) {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const now = clock.now();
        const reservation = await db.transaction((tx) =>
          reserveProviderCall(tx, {
            providerId: provider.id,
            lockKey: lockPrefix + provider.id,
            now: new Date(now),
            windowStart: new Date(now - providerWindowMs),
            tokens,
          }),
        );
        if ('callId' in reservation) {
          const { callId } = reservation;
          return async (used) => {
            if (used !== undefined && used !== tokens) await settleProviderCall(db, callId, used);
          };
        }
        const wait = Math.min(Math.max(reservation.retryAt.getTime() - clock.now(), 10), recheckMs);
        await clock.sleep(wait, signal);
      }
    },
    pause: (provider, until) => pauseProvider(db, provider.id, new Date(until)),
    now: () => clock.now(),
  };
}
