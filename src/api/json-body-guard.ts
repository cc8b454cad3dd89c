import type { MiddlewareHandler } from 'hono';
import { KairosError } from '../errors.ts';

/**
 * The deepest nesting a JSON request body may have. A workflow at its deepest (16 nodes) uses
 * about 35 levels; far deeper bodies would overflow the stack of the validators and of the
 * code that walks templates, and PostgreSQL refuses deep jsonb.
 */
export const maxBodyDepth = 64;

/** How deeply the JSON text nests (arrays and objects), without parsing it; stops counting past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}

/** Where a value is, as the API's errors name fields: `metadata.a[0]`. */
function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * The first part of a parsed body that cannot be stored as sent: a `__proto__` key (JavaScript
 * objects drop it, so what was stored would differ from what was sent), or text PostgreSQL
 * cannot hold (a NUL character) or that is not Unicode (a lone surrogate).
 */
export function unstorableValue(value: unknown): { field: string; problem: string } | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { field: path || '(body)', problem };
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push([item, fieldPath(path, index)]));
    } else if (current !== null && typeof current === 'object') {
      for (const key of Object.keys(current)) {
        const keyProblem = key === '__proto__' ? 'is a key JavaScript objects cannot hold; rename it' : textProblem(key);
        if (keyProblem) return { field: fieldPath(path, key), problem: `the key ${keyProblem.startsWith('is') ? keyProblem : `"${key.slice(0, 40)}" ${keyProblem}`}` };
        stack.push([(current as Record<string, unknown>)[key], fieldPath(path, key)]);
      }
    }
  }
  return undefined;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  if (loneSurrogate.test(text)) return 'is not valid Unicode (a lone surrogate \\ud800-\\udfff); send UTF-16 pairs or the character itself';
  return undefined;
}

/**
 * Checks a JSON request body before any route parses it: nested at most `maxBodyDepth` levels
 * (`body_too_deep`, 422), and storable as sent (`invalid_request`, 422, naming the field).
 * Malformed JSON is left to the route's validator, which answers `invalid_json`.
 */
export function jsonBodyGuard(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    const type = c.req.header('content-type') ?? '';
    if ((method !== 'POST' && method !== 'PUT' && method !== 'PATCH') || !/json/i.test(type)) return next();
    const text = await c.req.text();
    const depth = jsonDepth(text, maxBodyDepth);
    if (depth > maxBodyDepth) {
      throw new KairosError('body_too_deep', `the request body nests arrays and objects more than ${maxBodyDepth} levels deep; flatten it`, {
        status: 422,
        details: { max_depth: maxBodyDepth },
      });
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
