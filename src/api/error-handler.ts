import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { KairosError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { isConnectionError } from '../store/connection-error.ts';

/** The one error shape of the API: `{"error":{"code","message","details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

type Location = 'body' | 'query' | 'path' | 'header' | 'cookie' | 'form';

const locations: Record<string, Location> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

function fieldName(path: ReadonlyArray<PropertyKey>): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return name;
}

/**
 * A zod validation failure as a 422 `invalid_request` naming the first offending field in the
 * message and every issue in `details.issues`. Unknown keys are reported as fields of their own.
 */
export function validationError(error: ZodError, target: string): KairosError {
  const location = locations[target] ?? 'body';
  const issues = error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldName([...issue.path, key]),
        code: 'unknown_field',
        message: 'unknown field (not part of this request)',
      }));
    }
    return [{ field: fieldName(issue.path), code: issue.code, message: issue.message }];
  });
  const first = issues[0] ?? { field: '', code: 'invalid', message: 'invalid input' };
  const field = first.field || `(${location})`;
  return new KairosError('invalid_request', `${field}: ${first.message}`, {
    status: 422,
    details: { location, field: first.field, issues },
  });
}

/** Maps anything thrown by a route to the API's error shape; unexpected errors are logged, never shown. */
export function errorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof KairosError) {
      if (error.status >= 500) logger.error({ err: error, path: c.req.path }, 'request failed');
      return c.json(errorBody(error.code, error.message, error.details), error.status as ContentfulStatusCode);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      const [code, message] =
        status === 400 && /json/i.test(error.message)
          ? ['invalid_json', 'the request body is not valid JSON']
          : status === 413
            ? ['body_too_large', 'the request body is too large']
            : status === 415
              ? ['unsupported_media_type', 'send the request body as JSON with `Content-Type: application/json`']
              : status === 401
                ? ['unauthorized', error.message || 'unauthorized']
                : ['bad_request', error.message || 'bad request'];
      return c.json(errorBody(code, message), status as ContentfulStatusCode);
    }
    if (isConnectionError(error)) {
      // An outage, logged once by the database watcher: a clear, retryable answer, not a 500.
      c.header('Retry-After', '2');
      return c.json(
        errorBody(
          'database_unavailable',
          'the database is unreachable right now; Kairos reconnects on its own: retry in a few seconds',
        ),
        503,
      );
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unexpected error answering a request');
    return c.json(errorBody('internal', 'internal error; the server log has the details'), 500);
  };
}

export function notFoundHandler(c: Context): Response {
  c.set('unmatched', true);
  return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`), 404);
}
