import { describe, expect, it } from 'vitest';
import { concurrencyKeyProblems, renderConcurrencyKey, runConcurrency } from '../../src/runs/flow-control.ts';

// Concurrency key templates (docs/gates.md): checked at save, rendered once per run.
describe('concurrency key templates', () => {
  it('renders input and delivery values; text around placeholders is kept', () => {
    expect(renderConcurrencyKey('{{input.customer}}', { input: { customer: 'acme' } })).toBe('acme');
    expect(renderConcurrencyKey('c-{{ input.items.0.id }}', { input: { items: [{ id: 7 }] } })).toBe('c-7');
    expect(renderConcurrencyKey('{{input}}', { input: { a: 1 } })).toBe('{"a":1}');
    const event = { body: { customer: 'globex' }, headers: {}, query: {}, received_at: '2026-01-01T00:00:00Z' };
    expect(
      runConcurrency({ key: '{{event.body.customer}}', limit: 2, strategy: 'skip' }, 'trigger:t1', { event }),
    ).toEqual({
      scope: 'trigger:t1',
      key: 'globex',
      limit: 2,
      strategy: 'skip',
    });
  });

  it('a key that renders empty is no key; a long key is stored as its hash', () => {
    expect(renderConcurrencyKey('{{input.customer}}', { input: {} })).toBeNull();
    expect(renderConcurrencyKey(' {{input.customer}} ', { input: null })).toBeNull();
    expect(runConcurrency({ key: '{{input.x}}', limit: 1, strategy: 'queue' }, 'schedule:s', { input: {} })).toBeNull();
    const long = renderConcurrencyKey('{{input.text}}', { input: { text: 'x'.repeat(500) } });
    expect(long).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('names unknown variables and unclosed braces', () => {
    expect(concurrencyKeyProblems('{{input.customer}}', 'input')).toEqual([]);
    expect(concurrencyKeyProblems('{{event.body.customer}}', 'input')).toHaveLength(1);
    expect(concurrencyKeyProblems('{{event.body.customer}}', 'input_or_event')).toEqual([]);
    expect(concurrencyKeyProblems('{{event.cookies}}', 'input_or_event')[0]).toMatch(/event has body/);
    expect(concurrencyKeyProblems('{{date}}', 'input')[0]).toMatch(/reads the run input/);
    expect(concurrencyKeyProblems('{{input.customer', 'input')[0]).toMatch(/opens no variable/);
  });
});
