/**
 * What PostgreSQL can store of a JSON value as it was sent: how deep it may nest, and which keys
 * and texts would be refused by the database or changed on the way. Used on every body that
 * arrives (API requests, trigger deliveries) so that bad input is a 4xx, never a 500.
 */

/**
 * The deepest nesting a JSON request body may have. A workflow at its deepest (16 nodes) uses
 * about 35 levels; far deeper bodies would overflow the stack of the validators and of the
 * code that walks templates, and PostgreSQL refuses deep jsonb.
 */
export const maxJsonDepth = 64;

/** How deeply the JSON text nests (arrays and objects), without parsing it; stops counting past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // backslash: skip the escaped character
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
        const keyProblem =
          key === '__proto__' ? 'is a key JavaScript objects cannot hold; rename it' : textProblem(key);
        if (keyProblem) return { field: fieldPath(path, key), problem: `the key ${keyProblem}` };
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
  if (loneSurrogate.test(text))
    return 'is not valid Unicode (a lone surrogate \\ud800-\\udfff); send UTF-16 pairs or the character itself';
  return undefined;
}
