import { describe, expect, it } from 'vitest';
import { verifyBearerToken } from '../../src/triggers/bearer-token.ts';
import { signGithub, verifyGithubSignature } from '../../src/triggers/github-signature.ts';
import { constantTimeEqual, hmacSha256Hex } from '../../src/triggers/signature-check.ts';
import { signStripe, verifyStripeSignature } from '../../src/triggers/stripe-signature.ts';
import { triggerAuthSchema, verifyDelivery } from '../../src/triggers/trigger-auth.ts';

const secret = "It's a Secret to Everybody";
const body = Buffer.from('Hello, World!');

describe('verifyGithubSignature', () => {
  it("matches GitHub's documented example (secret, body and signature from its webhook docs)", () => {
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signGithub(secret, body)).toBe(signature);
    expect(verifyGithubSignature({ secret, body, signature })).toEqual({ ok: true });
    expect(
      verifyGithubSignature({ secret, body, signature: signature.toUpperCase().replace('SHA256=', 'sha256=') }),
    ).toEqual({ ok: true });
  });

  it('refuses a wrong signature, another body, another secret, a bare hex and a missing header', () => {
    const good = signGithub(secret, body);
    expect(verifyGithubSignature({ secret, body: Buffer.from('Hello, World?'), signature: good })).toEqual({
      ok: false,
      reason: 'the signature does not match the body',
    });
    expect(verifyGithubSignature({ secret: 'other', body, signature: good }).ok).toBe(false);
    expect(verifyGithubSignature({ secret, body, signature: good.slice('sha256='.length) })).toEqual({
      ok: false,
      reason: 'the signature header is not of the form sha256=<64 hex digits>',
    });
    expect(verifyGithubSignature({ secret, body, signature: 'sha1=0123' }).ok).toBe(false);
    expect(verifyGithubSignature({ secret, body, signature: undefined })).toEqual({
      ok: false,
      reason: 'the signature header is missing',
    });
    expect(verifyGithubSignature({ secret, body, signature: '  ' })).toEqual({
      ok: false,
      reason: 'the signature header is missing',
    });
  });
});

describe('verifyStripeSignature', () => {
  const now = Date.parse('2026-03-09T09:00:00Z');
  const payload = Buffer.from('{"id":"evt_1","type":"invoice.paid"}');

  it('accepts the signature of "<t>.<body>" within the tolerance, either way in time', () => {
    const header = signStripe('whsec_test', payload, now);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const t = Math.floor(now / 1000);
    expect(header).toBe(`t=${t},v1=${hmacSha256Hex('whsec_test', `${t}.${payload.toString()}`)}`);
    expect(verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: header, nowMs: now })).toEqual({
      ok: true,
    });
    expect(
      verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: header, nowMs: now + 299_000 }).ok,
    ).toBe(true);
    expect(
      verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: header, nowMs: now - 299_000 }).ok,
    ).toBe(true);
  });

  it('accepts any of several v1 signatures (a rolling secret) and ignores other schemes', () => {
    const good = signStripe('whsec_new', payload, now);
    const t = good.split(',')[0];
    const v1 = good.split(',')[1];
    const header = `${t},v1=${'0'.repeat(64)},${v1},v0=${'f'.repeat(64)}`;
    expect(verifyStripeSignature({ secret: 'whsec_new', body: payload, signature: header, nowMs: now })).toEqual({
      ok: true,
    });
  });

  it('refuses a stale timestamp, a wrong signature, a missing timestamp or signature, and a missing header', () => {
    const header = signStripe('whsec_test', payload, now);
    expect(
      verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: header, nowMs: now + 301_000 }),
    ).toEqual({
      ok: false,
      reason: 'the signature timestamp is 301 s away from now (tolerance 300 s)',
    });
    expect(
      verifyStripeSignature({
        secret: 'whsec_test',
        body: payload,
        signature: header,
        nowMs: now + 60_000,
        toleranceS: 30,
      }).ok,
    ).toBe(false);
    expect(verifyStripeSignature({ secret: 'whsec_other', body: payload, signature: header, nowMs: now })).toEqual({
      ok: false,
      reason: 'no v1 signature matches the body',
    });
    expect(
      verifyStripeSignature({ secret: 'whsec_test', body: Buffer.from('{}'), signature: header, nowMs: now }).ok,
    ).toBe(false);
    expect(
      verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: header.split(',')[1], nowMs: now }).ok,
    ).toBe(false);
    expect(
      verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: header.split(',')[0], nowMs: now }),
    ).toEqual({
      ok: false,
      reason: 'the signature header has no v1=<hex> signature',
    });
    expect(verifyStripeSignature({ secret: 'whsec_test', body: payload, signature: undefined, nowMs: now })).toEqual({
      ok: false,
      reason: 'the signature header is missing',
    });
  });
});

describe('verifyBearerToken and constantTimeEqual', () => {
  it('accepts the exact token only', () => {
    expect(verifyBearerToken({ expected: 'tok-123', authorization: 'Bearer tok-123' })).toEqual({ ok: true });
    expect(verifyBearerToken({ expected: 'tok-123', authorization: 'bearer tok-123' })).toEqual({ ok: true });
    expect(verifyBearerToken({ expected: 'tok-123', authorization: 'Bearer tok-1234' })).toEqual({
      ok: false,
      reason: 'the bearer token is wrong',
    });
    expect(verifyBearerToken({ expected: 'tok-123', authorization: 'Basic dG9r' }).ok).toBe(false);
    expect(verifyBearerToken({ expected: 'tok-123', authorization: undefined })).toEqual({
      ok: false,
      reason: 'the Authorization header is missing',
    });
  });

  it('compares strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('trigger auth (the schema and verifyDelivery)', () => {
  const env = { HOOK_SECRET: 'shh', HOOK_TOKEN: 'tok' };

  it('fills the header and format: GitHub by default, Stripe for Stripe-Signature (tolerance 300 s)', () => {
    expect(triggerAuthSchema.parse({ type: 'hmac-sha256', secret: { env: 'HOOK_SECRET' } })).toEqual({
      type: 'hmac-sha256',
      header: 'x-hub-signature-256',
      secret: { env: 'HOOK_SECRET' },
      format: 'github',
    });
    expect(
      triggerAuthSchema.parse({ type: 'hmac-sha256', header: 'Stripe-Signature', secret: { env: 'HOOK_SECRET' } }),
    ).toEqual({
      type: 'hmac-sha256',
      header: 'stripe-signature',
      secret: { env: 'HOOK_SECRET' },
      format: 'stripe',
      tolerance_s: 300,
    });
    expect(triggerAuthSchema.safeParse({ type: 'hmac-sha256', secret: 'shh' }).success).toBe(false);
    expect(triggerAuthSchema.safeParse({ type: 'hmac-sha256', secret: { env: 'DATABASE_URL' } }).success).toBe(false);
    expect(triggerAuthSchema.safeParse({ type: 'basic' }).success).toBe(false);
  });

  it('checks the configured header, a bare hex digest, a bearer token, and names a missing variable', () => {
    const github = triggerAuthSchema.parse({
      type: 'hmac-sha256',
      header: 'X-Hub-Signature-256',
      secret: { env: 'HOOK_SECRET' },
    });
    const headers = { 'x-hub-signature-256': signGithub('shh', body) };
    expect(verifyDelivery(github, { headers, body, nowMs: 0 }, env)).toEqual({ ok: true });
    expect(verifyDelivery(github, { headers: {}, body, nowMs: 0 }, env)).toEqual({
      ok: false,
      reason: 'x-hub-signature-256: the signature header is missing',
    });
    const hex = triggerAuthSchema.parse({
      type: 'hmac-sha256',
      header: 'X-Signature',
      format: 'hex',
      secret: { env: 'HOOK_SECRET' },
    });
    expect(
      verifyDelivery(hex, { headers: { 'x-signature': hmacSha256Hex('shh', body) }, body, nowMs: 0 }, env),
    ).toEqual({ ok: true });
    expect(
      verifyDelivery(hex, { headers: { 'x-signature': hmacSha256Hex('nope', body) }, body, nowMs: 0 }, env).ok,
    ).toBe(false);
    const bearer = triggerAuthSchema.parse({ type: 'bearer', token: { env: 'HOOK_TOKEN' } });
    expect(verifyDelivery(bearer, { headers: { authorization: 'Bearer tok' }, body, nowMs: 0 }, env)).toEqual({
      ok: true,
    });
    expect(verifyDelivery(bearer, { headers: { authorization: 'Bearer shh' }, body, nowMs: 0 }, env).ok).toBe(false);
    expect(verifyDelivery(bearer, { headers: { authorization: 'Bearer tok' }, body, nowMs: 0 }, {})).toEqual({
      ok: false,
      misconfigured: true,
      reason: "environment variable HOOK_TOKEN (the trigger's secret) is not set on this Kairos server",
    });
  });
});
