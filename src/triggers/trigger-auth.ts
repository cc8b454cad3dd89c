import { z } from 'zod';
import { envReferenceSchema } from '../agents/env-reference.ts';
import { verifyBearerToken } from './bearer-token.ts';
import { verifyGithubSignature } from './github-signature.ts';
import { accepted, constantTimeEqual, hmacSha256Hex, refused, type SignatureCheck } from './signature-check.ts';
import { defaultStripeToleranceS, verifyStripeSignature } from './stripe-signature.ts';

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name, e.g. X-Hub-Signature-256')
  .transform((name) => name.toLowerCase());

/**
 * `auth` of a trigger, required. Secrets are environment references only (`{"env": "NAME"}`):
 * the value is read on each delivery and never stored or shown.
 * - `hmac-sha256`: a signature of the raw body in `header`. `format` `github` (`sha256=<hex>`,
 *   the default), `stripe` (`t=…,v1=…`, signed `"<t>.<body>"`, `tolerance_s` default 300; the
 *   default when the header is `Stripe-Signature`) or `hex` (the bare hex digest).
 * - `bearer`: `Authorization: Bearer <token>`.
 */
export const triggerAuthSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('hmac-sha256'),
      header: headerName.default('x-hub-signature-256'),
      secret: envReferenceSchema,
      format: z.enum(['github', 'stripe', 'hex']).optional(),
      tolerance_s: z.number().int().min(1).max(86_400).optional(),
    }),
    z.strictObject({ type: z.literal('bearer'), token: envReferenceSchema }),
  ])
  .transform((auth) => {
    if (auth.type === 'bearer') return auth;
    const format = auth.format ?? (auth.header === 'stripe-signature' ? 'stripe' : 'github');
    return {
      ...auth,
      format,
      ...(format === 'stripe' && { tolerance_s: auth.tolerance_s ?? defaultStripeToleranceS }),
    };
  });

export type TriggerAuth = z.output<typeof triggerAuthSchema>;

/** The auth check of one delivery: accepted, refused (401), or not checkable here (a missing variable). */
export type AuthVerdict = SignatureCheck | { ok: false; misconfigured: true; reason: string };

/**
 * Why a trigger cannot check deliveries on this server (its secret's variable is unset), or
 * undefined when it can. For its owner only: never tell a sender about configuration.
 */
export function authProblem(auth: TriggerAuth, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const reference = auth.type === 'bearer' ? auth.token : auth.secret;
  const secret = env[reference.env];
  return secret === undefined || secret === ''
    ? `environment variable ${reference.env} (the trigger's secret) is not set on this Kairos server`
    : undefined;
}

/**
 * Checks a delivery against the trigger's `auth`: headers lower-cased, the raw body exactly as
 * received, `nowMs` on the engine clock (Stripe's timestamp tolerance).
 */
export function verifyDelivery(
  auth: TriggerAuth,
  delivery: { headers: Readonly<Record<string, string>>; body: Buffer; nowMs: number },
  env: Readonly<Record<string, string | undefined>>,
): AuthVerdict {
  const reference = auth.type === 'bearer' ? auth.token : auth.secret;
  const secret = env[reference.env];
  const problem = authProblem(auth, env);
  if (problem !== undefined || secret === undefined) return { ok: false, misconfigured: true, reason: problem ?? '' };
  if (auth.type === 'bearer')
    return verifyBearerToken({ expected: secret, authorization: delivery.headers.authorization });
  const signature = delivery.headers[auth.header];
  const named = (check: SignatureCheck): SignatureCheck =>
    check.ok ? check : refused(`${auth.header}: ${check.reason}`);
  if (auth.format === 'stripe') {
    return named(
      verifyStripeSignature({
        secret,
        body: delivery.body,
        signature,
        nowMs: delivery.nowMs,
        toleranceS: auth.tolerance_s,
      }),
    );
  }
  if (auth.format === 'github') return named(verifyGithubSignature({ secret, body: delivery.body, signature }));
  if (!signature?.trim()) return named(refused('the signature header is missing'));
  return named(
    constantTimeEqual(signature.trim().toLowerCase(), hmacSha256Hex(secret, delivery.body))
      ? accepted
      : refused('the signature does not match the body'),
  );
}
