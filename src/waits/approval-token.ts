import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed approval link names: one approval wait of one run, until it expires. */
export interface ApprovalTokenClaims {
  runId: string;
  nodeKey: string;
  /** When the link stops working (the wait's timeout), epoch milliseconds. */
  expiresAt: number;
}

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`kairos-approval.${payload}`).digest();
}

/**
 * Signs a one-time approval link's token: `<payload>.<HMAC-SHA256>`, both base64url. The payload
 * names the run, the wait's node key and the expiry; the signature makes any change detectable.
 *
 * @example
 * const token = signApprovalToken(secret, { runId, nodeKey: 'steps[1]', expiresAt: Date.parse(until) });
 */
export function signApprovalToken(secret: string, claims: ApprovalTokenClaims): string {
  const payload = encode(JSON.stringify({ r: claims.runId, n: claims.nodeKey, e: claims.expiresAt }));
  return `${payload}.${signature(secret, payload).toString('base64url')}`;
}

/**
 * Reads a token signed with `secret`: its claims, or undefined when it is malformed or its
 * signature does not match (tampered, or signed with another secret). Expiry is the caller's
 * check (it answers 410, not 404).
 */
export function verifyApprovalToken(secret: string, token: string): ApprovalTokenClaims | undefined {
  if (token.length > 2048) return undefined;
  const parts = token.split('.');
  if (parts.length !== 2) return undefined;
  const [payload, sent] = parts as [string, string];
  const expected = signature(secret, payload);
  const given = Buffer.from(sent, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { r, n, e } = body;
    if (typeof r !== 'string' || typeof n !== 'string' || typeof e !== 'number') return undefined;
    return { runId: r, nodeKey: n, expiresAt: e };
  } catch {
    return undefined;
  }
}
