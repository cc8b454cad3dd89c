import { accepted, constantTimeEqual, refused, type SignatureCheck } from './signature-check.ts';

/**
 * Checks `Authorization: Bearer <token>` against the expected token, in constant time.
 *
 * @example
 * verifyBearerToken({ expected: process.env.HOOK_TOKEN!, authorization: req.headers.authorization })
 */
export function verifyBearerToken(input: { expected: string; authorization: string | undefined }): SignatureCheck {
  const header = input.authorization?.trim();
  if (!header) return refused('the Authorization header is missing');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return refused('the Authorization header is not of the form "Bearer <token>"');
  return constantTimeEqual(match[1]!, input.expected) ? accepted : refused('the bearer token is wrong');
}
