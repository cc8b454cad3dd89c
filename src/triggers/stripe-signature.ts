import { accepted, constantTimeEqual, hmacSha256Hex, refused, type SignatureCheck } from './signature-check.ts';

/** Stripe's default tolerance between the signed timestamp and now. */
export const defaultStripeToleranceS = 300;

/**
 * Checks a Stripe-style signature header (`Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`):
 * HMAC-SHA256 of `"<t>.<raw body>"` under the secret, any `v1` may match (Stripe sends several
 * while a secret rolls), compared in constant time, and `t` within `toleranceS` of `nowMs`
 * either way (a stale or future timestamp is refused, so a captured delivery cannot be replayed
 * later).
 *
 * @example
 * verifyStripeSignature({ secret, body: rawBody, signature: req.headers['stripe-signature'], nowMs: Date.now() })
 */
export function verifyStripeSignature(input: {
  secret: string;
  body: Buffer | string;
  signature: string | undefined;
  nowMs: number;
  toleranceS?: number;
}): SignatureCheck {
  const header = input.signature?.trim();
  if (!header) return refused('the signature header is missing');
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (key === 't') timestamp = value;
    else if (key === 'v1') signatures.push(value);
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
    return refused('the signature header has no timestamp t=<unix seconds>');
  if (signatures.length === 0) return refused('the signature header has no v1=<hex> signature');
  const tolerance = input.toleranceS ?? defaultStripeToleranceS;
  const ageS = Math.abs(input.nowMs / 1000 - Number(timestamp));
  if (ageS > tolerance)
    return refused(`the signature timestamp is ${Math.round(ageS)} s away from now (tolerance ${tolerance} s)`);
  const payload = Buffer.concat([
    Buffer.from(`${timestamp}.`),
    Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body),
  ]);
  const expected = hmacSha256Hex(input.secret, payload);
  // Every candidate is compared (no early exit), so timing does not tell which one matched.
  let matched = false;
  for (const signature of signatures) matched = constantTimeEqual(signature.toLowerCase(), expected) || matched;
  return matched ? accepted : refused('no v1 signature matches the body');
}

/** The header value Stripe would send for this body at `nowMs` (tests, and callers that sign deliveries). */
export function signStripe(secret: string, body: Buffer | string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const payload = Buffer.concat([Buffer.from(`${t}.`), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
  return `t=${t},v1=${hmacSha256Hex(secret, payload)}`;
}
