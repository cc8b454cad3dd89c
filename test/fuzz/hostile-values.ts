import fc from 'fast-check';

/** A JSON token written as is: numbers JSON.stringify cannot produce (1e999, -0, 1.0e-400). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold RawJson tokens and own `__proto__` keys. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return `{${Object.keys(value)
      .map((key) => `${JSON.stringify(key)}:${jsonText((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with these own keys, `__proto__` included (an object literal would set the prototype). */
export function ownObject(entries: Array<[string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries)
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

export const pollutionKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
] as const;

/** Strings a validator has to survive: empty, blank, control characters, NUL, lone surrogates, RTL, huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202eevil',
    '💥🕐',
    'NaN',
    'Infinity',
    '-0',
    '1e999',
    'null',
    'true',
    '[]',
    '{}',
  ),
  fc.constantFrom(
    '../../etc/passwd',
    "'; DROP TABLE schedules; --",
    '%00',
    '\\',
    '{{date}}',
    '{{nope}}',
    '{{ event.body.x }}',
    '{{input.a.b}}',
    '__proto__',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 201, max: 5000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers at and past every edge: negative, zero, fractions, huge, beyond a double, -0. */
export const hostileNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    0.5,
    -0.5,
    2 ** 31,
    2 ** 53 + 1,
    -(2 ** 63),
    1e308,
    -1e308,
    Number.MIN_VALUE,
    86_401,
    604_801,
    1_000_001,
  ),
  fc.constantFrom(
    new RawJson('1e999'),
    new RawJson('-1e999'),
    new RawJson('-0'),
    new RawJson('1e-400'),
    new RawJson('123456789012345678901234567890'),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** JSON text nested `depth` levels deep (arrays or objects), written out so that no recursion builds it. */
export function nested(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** Deeply nested values, from harmless to far beyond any sane depth. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(20, 64, 65, 200, 5_000, 20_000), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => nested(depth, kind));

/** An object whose keys are prototype-pollution names. */
export const pollutedObject: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.tuple(fc.constantFrom(...pollutionKeys), fc.oneof(fc.jsonValue(), fc.constant({ polluted: true }))), {
    minLength: 1,
    maxLength: 3,
  })
  .map((entries) => ownObject(entries));

/** Any hostile value: scalars of every type, strings, numbers, deep and polluted objects, arbitrary JSON. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { $ne: null }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: pollutedObject },
);

/** One mutation of a valid body; applied by `mutate`. */
type Mutation =
  | { kind: 'keep' }
  | { kind: 'drop'; index: number }
  | { kind: 'replace'; index: number; value: unknown }
  | { kind: 'replace-nested'; index: number; nestedKey: string; value: unknown }
  | { kind: 'unknown'; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'keep' as const }) },
  { weight: 2, arbitrary: fc.nat().map((index) => ({ kind: 'drop' as const, index })) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), index: fc.nat(), value: hostileValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('replace-nested' as const),
      index: fc.nat(),
      nestedKey: fc.oneof(fc.constantFrom(...pollutionKeys), fc.string({ maxLength: 8 })),
      value: hostileValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unknown' as const),
      key: fc.oneof(fc.constantFrom(...pollutionKeys), fc.string({ maxLength: 12 })),
      value: hostileValue,
    }),
  },
);

function applyMutation(body: Record<string, unknown>, change: Mutation): Record<string, unknown> {
  const keys = Object.keys(body);
  const entries: Array<[string, unknown]> = keys.map((key) => [key, body[key]]);
  if (change.kind === 'keep' || keys.length === 0)
    return change.kind === 'unknown' ? ownObject([...entries, [change.key, change.value]]) : body;
  const key = keys[('index' in change ? change.index : 0) % keys.length]!;
  switch (change.kind) {
    case 'drop':
      return ownObject(entries.filter(([name]) => name !== key));
    case 'replace':
      return ownObject(entries.map(([name, value]) => [name, name === key ? change.value : value]));
    case 'replace-nested': {
      const current = body[key];
      const inner =
        current !== null && typeof current === 'object' && !Array.isArray(current)
          ? ownObject([...Object.entries(current), [change.nestedKey, change.value]])
          : ownObject([[change.nestedKey, change.value]]);
      return ownObject(entries.map(([name, value]) => [name, name === key ? inner : value]));
    }
    case 'unknown':
      return ownObject([...entries, [change.key, change.value]]);
  }
}

/** Near-valid bodies: a valid body with 0–3 mutations (dropped, retyped, hostile, nested, unknown fields). */
export function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(valid, fc.array(mutation, { maxLength: 3 }))
    .map(([body, changes]) =>
      changes.reduce<Record<string, unknown>>((current, change) => applyMutation(current, change), body),
    );
}

/**
 * The JSON text of a request body: mostly near-valid ones, some arbitrary JSON or values, and a
 * few that are not JSON at all (truncated, trailing garbage).
 */
export function requestBody(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 14, arbitrary: mutated(valid).map(jsonText) },
    { weight: 2, arbitrary: hostileValue.map(jsonText) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(mutated(valid).map(jsonText), fc.nat())
        .map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(mutated(valid).map(jsonText), fc.constantFrom(',', '}', ' x', '\u0000'))
        .map(([text, tail]) => text + tail),
    },
  );
}
