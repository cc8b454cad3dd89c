import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderRequestTemplate, unknownRequestVariable } from '../../src/agents/request-template.ts';
import { renderInputTemplate, unknownTemplateVariables } from '../../src/runs/input-template.ts';
import { eventTemplateProblems, renderEventTemplate } from '../../src/triggers/event-template.ts';
import { renderStepInput, unknownStepTemplateVariables } from '../../src/workflows/step-input.ts';
import { fuzzTimezone } from './cron-strings.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { pollutedObject } from './hostile-values.ts';
import { templateValue } from './template-strings.ts';

/** Whatever a template renders to must still be JSON (it becomes a run's input or a request body). */
function expectJson(value: unknown): void {
  expect(() => JSON.stringify(value)).not.toThrow();
}

/** A string template that reads as a JSON object or array is sent as that JSON (docs/scheduling.md). */
function jsonOfText(template: unknown): unknown {
  if (typeof template !== 'string') return template;
  const text = template.trim();
  if (!/^\{[^]*\}$|^\[[^]*\]$/.test(text)) return template;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return template;
  }
}

/** A value with no placeholder renders to itself. */
const hasPlaceholder = (value: unknown) => JSON.stringify(value)?.includes('{{') ?? false;

const input = fc.oneof(fc.jsonValue({ maxDepth: 3 }), pollutedObject);

// Every template family, rendered directly: checking never throws, rendering never throws,
// what renders is JSON, and nothing reaches Object.prototype.
describe('fuzz: template strings', () => {
  it(`input templates of schedules (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, () => {
    fc.assert(
      fc.property(
        templateValue,
        fuzzTimezone.filter((zone) => ['UTC', 'Europe/Paris', 'Asia/Kathmandu'].includes(zone)),
        fc.integer({ min: 0, max: 4e12 }),
        (template, timezone, occurrenceMs) => {
          expect(Array.isArray(unknownTemplateVariables(template))).toBe(true);
          const rendered = renderInputTemplate(template, {
            occurrenceMs,
            timezone,
            runNumber: 3,
            scheduleId: 's-1',
            scheduleName: 'daily',
          });
          expectJson(rendered);
          if (!hasPlaceholder(template) && template !== undefined) expect(rendered).toEqual(jsonOfText(template));
        },
      ),
      fuzzParameters(400),
    );
  });

  it(`request templates of http assistants (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, () => {
    fc.assert(
      fc.property(templateValue, input, (template, runInput) => {
        unknownRequestVariable(template, 'config.body');
        const rendered = renderRequestTemplate(template, {
          runId: 'r-1',
          runNumber: 2,
          scheduledFor: new Date('2026-03-08T09:00:00Z'),
          threadId: null,
          input: runInput,
          history: [{ role: 'user', content: 'hi' }] as never,
          schedule: { id: 's-1', name: 'daily', timezone: 'UTC' },
          now: new Date('2026-03-08T09:00:01Z'),
        });
        expectJson(rendered);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      fuzzParameters(400),
    );
  });

  it(`event templates of triggers (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, () => {
    fc.assert(
      fc.property(templateValue, input, (template, body) => {
        expect(Array.isArray(eventTemplateProblems(template))).toBe(true);
        const rendered = renderEventTemplate(template, {
          event: { body, headers: { 'x-id': '7' }, query: { q: 'a' }, received_at: '2026-03-08T09:00:00.000Z' },
          trigger: { id: 't-1', name: 'gh' },
        });
        expectJson(rendered);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      fuzzParameters(400),
    );
  });

  it(`step inputs of workflows (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, () => {
    fc.assert(
      fc.property(templateValue, input, input, (template, runInput, previous) => {
        expect(Array.isArray(unknownStepTemplateVariables(template, new Set(['first'])))).toBe(true);
        const rendered = renderStepInput(template, {
          input: runInput,
          previous,
          steps: new Map([['first', previous]]),
          schedule: { date: '2026-03-08' },
        });
        expectJson(rendered);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      fuzzParameters(400),
    );
  });
});
