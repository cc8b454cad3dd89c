import fc from 'fast-check';

/** Placeholders of every template family (schedules, http request bodies, triggers, workflow steps), known and not. */
const placeholder = fc.constantFrom(
  '{{date}}',
  '{{ day_of_week }}',
  '{{timestamp}}',
  '{{run_number}}',
  '{{scheduled_for}}',
  '{{schedule.name}}',
  '{{schedule.id}}',
  '{{input}}',
  '{{input.a.b}}',
  '{{run_id}}',
  '{{thread_id}}',
  '{{history}}',
  '{{event.body}}',
  '{{event.body.a.0}}',
  '{{event.headers.x-id}}',
  '{{event.headers.Authorization}}',
  '{{trigger.name}}',
  '{{previous}}',
  '{{steps.first}}',
  '{{nope}}',
  '{{}}',
  '{{ }}',
  '{{{date}}}',
  '{{date',
  'date}}',
  '{{__proto__}}',
  '{{constructor.prototype}}',
  '{{input.__proto__.x}}',
  '{{event.body.__proto__}}',
);

/** Template strings: text with placeholders, broken braces, unicode and length. */
export const templateString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.oneof(
        placeholder,
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.constantFrom('{', '}', '{{', '}}', '\\', '$', '\u0000'),
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join('')),
  fc.integer({ min: 1, max: 3000 }).map((n) => '{{'.repeat(n)),
  fc.integer({ min: 1, max: 500 }).map((n) => '{{date}}'.repeat(n)),
);

/** A template: a string, or JSON whose strings are templates (keys included, which are not templated). */
export const templateValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    templateString,
    fc.jsonValue({ maxDepth: 1 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(templateString, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 3 }),
  ),
})).value;
