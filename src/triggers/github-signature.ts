import { accepted, constantTimeEqual, hmacSha256Hex, refused, type SignatureCheck } from './signature-check.ts';

/**
 * Checks a GitHub-style signature header (`X-Hub-Signature-256: sha256=<hex>`): the HMAC-SHA256
 * of the raw body under the shared secret, compared in constant time. GitHub's scheme has no
 * timestamp; replays are refused by delivery id instead (X-GitHub-Delivery).
 *
 * @example
 * verifyGithubSignature({ secret, body: rawBody, signature: req.headers['x-hub-signature-256'] })
 */
export function verifyGithubSignature(input: {
  secret: string;
  body: Buffer | string;
  signature: string | undefined;
}): SignatureCheck {
  const header = input.signature?.trim();
  if (!header) return refused('the signature header is missing');
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header);
  if (!match) return refused('the signature header is not of the form sha256=<64 hex digits>');
  const expected = hmacSha256Hex(input.secret, input.body);
  return constantTimeEqual(match[1]!.toLowerCase(), expected)
    ? accepted
    : refused('the signature does not match the body');
}

/** The header value GitHub would send for this body (tests, and callers that sign deliveries). */
export function signGithub(secret: string, body: Buffer | string): string {
  return `sha256=${hmacSha256Hex(secret, body)}`;
}
