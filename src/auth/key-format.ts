import { createHash, randomBytes } from 'node:crypto';

const keyPattern = /^kairos_[A-Za-z0-9_-]{43}$/;

/** Characters of a key kept in clear for listing (`kairos_` plus 5), never enough to use it. */
const prefixLength = 12;

export interface GeneratedKey {
  /** The key itself: shown once, never stored. */
  key: string;
  prefix: string;
  hash: string;
}

/** A new API key: `kairos_` + 32 random bytes (base64url). 256 bits, so a plain SHA-256 suffices. */
export function generateApiKey(): GeneratedKey {
  const key = `kairos_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, prefixLength), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether a string has the shape of a Kairos key (checked before any database lookup). */
export function looksLikeApiKey(value: string): boolean {
  return keyPattern.test(value);
}
