import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import { ErrorResponse } from './schemas/common.ts';

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorResponse } } });

/** The error answers every authenticated route can give, documented once. */
const errorResponses = {
  400: error('Malformed JSON (`invalid_json`)'),
  401: error('Missing, unknown or revoked API key (`unauthorized`)'),
  403: error('The role does not allow this (`forbidden`)'),
  404: error('No such resource, or not yours (`not_found`)'),
  413: error('Body larger than KAIROS_MAX_BODY_BYTES (`body_too_large`)'),
  415: error('Body not sent as JSON (`unsupported_media_type`)'),
  422: error('Invalid input; the message names the field (`invalid_request`)'),
};

/** Security requirement: either a Bearer key or an `x-api-key` header. */
export const apiKeySecurity = [{ bearerAuth: [] }, { apiKeyHeader: [] }];

/**
 * `createRoute` for an authenticated API route: adds the security requirement and the common
 * error answers to the OpenAPI document (handlers throw those; they do not return them).
 */
export function apiRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  config: R & { extraErrors?: Record<number, string> },
): ReturnType<typeof createRoute<P, R>> {
  const { extraErrors, ...route } = config;
  const extra = Object.fromEntries(Object.entries(extraErrors ?? {}).map(([status, text]) => [status, error(text)]));
  return createRoute({
    ...route,
    security: apiKeySecurity,
    responses: { ...errorResponses, ...extra, ...route.responses },
  } as unknown as R);
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

/** A JSON response. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}
