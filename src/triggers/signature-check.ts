import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The verdict of a signature or token check; `reason` says what was wrong, never a secret. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export const accepted: SignatureCheck = Object.freeze({ ok: true });
export const refused = (reason: string): SignatureCheck => ({ ok: false, reason });

/** HMAC-SHA256 of `payload` under `secret`, as lower-case hex. */
export function hmacSha256Hex(secret: string, payload: Buffer | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/**
 * Whether two strings are equal, in time that depends on neither's content: both are hashed
 * first, so that even their lengths do not leak through `timingSafeEqual`'s length check.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
