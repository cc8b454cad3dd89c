import type { Actor } from '../auth/actor.ts';

/** The Hono environment of every API route: who is calling, resolved by the auth middleware. */
export interface ApiEnv {
  Variables: {
    actor: Actor;
    /** The API key used, or null in local mode. */
    keyId: string | null;
    /** Set by the not-found handler so that metrics label unmatched paths as one route. */
    unmatched: boolean;
  };
}
