import { KairosError } from '../errors.ts';
import { findKeyHolder, hasActiveApiKeys, touchApiKey } from '../store/api-keys.ts';
import type { Database } from '../store/database.ts';
import { localAdmin, type Actor } from './actor.ts';
import { hashApiKey, looksLikeApiKey } from './key-format.ts';

export interface Authentication {
  actor: Actor;
  /** The key used, or null in local mode. */
  keyId: string | null;
  local: boolean;
}

export interface AuthenticatorOptions {
  /** Whether the server is bound to loopback, so that local mode may apply when no keys exist. */
  loopback: boolean;
  /** `last_used_at` is written at most this often per key. */
  touchEveryMs?: number;
  now?: () => number;
}

const unauthorized = (message: string) => new KairosError('unauthorized', message, { status: 401 });

/** Reads the credential of a request: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function credentialFrom(headers: {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}): string | undefined {
  const bearer = headers.authorization && /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization);
  if (bearer) return bearer[1];
  if (headers.authorization) return headers.authorization.trim() || undefined;
  return headers.apiKey?.trim() || undefined;
}

/**
 * Turns a request credential into an actor. Keys are looked up by their SHA-256 hash; revoked
 * keys and disabled users fail like unknown keys (401). With no active key in the database and a
 * loopback server, every request acts as the local admin (local mode), whatever it sends.
 */
export class Authenticator {
  private readonly touched = new Map<string, number>();
  private keysExistSince = -Infinity;
  private readonly touchEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly options: AuthenticatorOptions,
  ) {
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async authenticate(credential: string | undefined): Promise<Authentication> {
    if (await this.inLocalMode()) return { actor: localAdmin, keyId: null, local: true };
    if (credential === undefined) {
      throw unauthorized('missing API key: send `Authorization: Bearer <key>` or `x-api-key: <key>`');
    }
    const holder = looksLikeApiKey(credential) ? await findKeyHolder(this.db, hashApiKey(credential)) : undefined;
    if (!holder) throw unauthorized('invalid API key: it is unknown, revoked, or its user is disabled');
    const now = this.now();
    if (now - (this.touched.get(holder.keyId) ?? -Infinity) >= this.touchEveryMs) {
      this.touched.set(holder.keyId, now);
      await touchApiKey(this.db, holder.keyId, Math.floor(this.touchEveryMs / 1000));
    }
    return { actor: { userId: holder.userId, role: holder.role }, keyId: holder.keyId, local: false };
  }

  /** Once keys are seen they are assumed to exist for a second, sparing a query per request. */
  private async inLocalMode(): Promise<boolean> {
    if (!this.options.loopback) return false;
    if (this.now() - this.keysExistSince < 1000) return false;
    if (await hasActiveApiKeys(this.db)) {
      this.keysExistSince = this.now();
      return false;
    }
    return true;
  }
}
