import type { MiddlewareHandler } from 'hono';
import { KairosError } from '../errors.ts';
import { jsonDepth, maxJsonDepth, unstorableValue } from '../store/storable-json.ts';

/** The deepest nesting a JSON request body may have (see storable-json.ts). */
export const maxBodyDepth = maxJsonDepth;

/**
 * Checks a JSON request body before any route parses it: nested at most `maxBodyDepth` levels
 * (`body_too_deep`, 422), and storable as sent (`invalid_request`, 422, naming the field).
 * Malformed JSON is left to the route's validator, which answers `invalid_json`. An empty body
 * (`curl -X POST -H 'content-type: application/json' …/pause`) means `{}`.
 */
export function jsonBodyGuard(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    const type = c.req.header('content-type') ?? '';
    if ((method !== 'POST' && method !== 'PUT' && method !== 'PATCH') || !/json/i.test(type)) return next();
    const text = await c.req.text();
    if (text.trim() === '') {
      // What the route's validator reads next: Hono keeps the body's text promise in bodyCache.
      (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve('{}');
      return next();
    }
    const depth = jsonDepth(text, maxBodyDepth);
    if (depth > maxBodyDepth) {
      throw new KairosError(
        'body_too_deep',
        `the request body nests arrays and objects more than ${maxBodyDepth} levels deep; flatten it`,
        {
          status: 422,
          details: { max_depth: maxBodyDepth },
        },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return next();
    }
    const unstorable = unstorableValue(parsed);
    if (unstorable) {
      throw new KairosError('invalid_request', `${unstorable.field}: ${unstorable.problem}`, {
        status: 422,
        details: { location: 'body', field: unstorable.field },
      });
    }
    return next();
  };
}
