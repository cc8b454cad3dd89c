/**
 * RFC 6901 JSON Pointers: `""` is the whole document, `/a/0/b~1c` walks keys and array indexes
 * (`~1` is `/`, `~0` is `~`).
 */

/** Why `pointer` is not a JSON Pointer, or undefined when it is one. */
export function jsonPointerProblem(pointer: string): string | undefined {
  if (pointer !== '' && !pointer.startsWith('/'))
    return `"${pointer}" is not a JSON Pointer: it must be empty or start with "/" (e.g. "/data/0/text")`;
  if (/~(?![01])/.test(pointer))
    return `"${pointer}" is not a JSON Pointer: "~" must be written ~0 and "/" inside a key ~1`;
  return undefined;
}

/** The tokens of a valid pointer, unescaped. */
function tokens(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value `pointer` names in `document`, or `{ found: false }` with the first token that is missing. */
export function resolveJsonPointer(
  document: unknown,
  pointer: string,
): { found: true; value: unknown } | { found: false; missing: string } {
  let current = document;
  let walked = '';
  for (const token of tokens(pointer)) {
    walked += `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= current.length) return { found: false, missing: walked };
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return { found: false, missing: walked };
    }
  }
  return { found: true, value: current };
}
