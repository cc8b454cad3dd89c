import { describe, expect, it } from 'vitest';
import { parseEventBody, deliveryKeyOf } from '../../src/triggers/event-body.ts';
import { eventTemplateProblems, renderEventTemplate, templateHeaders } from '../../src/triggers/event-template.ts';

const context = {
  event: {
    body: { ref: 'refs/heads/main', commits: [{ id: 'a1', message: 'first' }, { id: 'b2' }], size: 2, draft: false },
    headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
    query: { env: 'prod' },
    received_at: '2026-03-09T09:00:00.000Z',
  },
  trigger: { id: 't-1', name: 'github' },
};

describe('event templates', () => {
  it('puts a whole-string placeholder as the value itself, and writes values out inside text', () => {
    const input = renderEventTemplate(
      {
        commits: '{{event.body.commits}}',
        first: '{{ event.body.commits.0.message }}',
        size: '{{event.body.size}}',
        draft: '{{event.body.draft}}',
        missing: '{{event.body.nope.deeper}}',
        text: '{{event.headers.x-github-event}} to {{event.body.ref}} ({{event.body.size}} commits, {{event.query.env}}) at {{event.received_at}} by {{trigger.name}}{{event.body.nope}}',
        list: ['{{trigger.id}}', 3, null],
        json: 'commits: {{event.body.commits.1}}',
      },
      context,
    );
    expect(input).toEqual({
      commits: [{ id: 'a1', message: 'first' }, { id: 'b2' }],
      first: 'first',
      size: 2,
      draft: false,
      missing: null,
      text: 'push to refs/heads/main (2 commits, prod) at 2026-03-09T09:00:00.000Z by github',
      list: ['t-1', 3, null],
      json: 'commits: {"id":"b2"}',
    });
    expect(renderEventTemplate('{{event.body}}', context)).toEqual(context.event.body);
    expect(renderEventTemplate('{{event.headers}}', context)).toEqual(context.event.headers);
  });

  it('names unknown variables, upper-case headers and credential headers with where they are', () => {
    expect(
      eventTemplateProblems({
        a: '{{event.body.x}}',
        b: ['{{event.headers.x-y}}', '{{event.query.q}}', '{{event.received_at}}', '{{trigger.name}}'],
      }),
    ).toEqual([]);
    expect(eventTemplateProblems({ a: 'Summary for {{date}}' })).toEqual([
      {
        variable: 'date',
        path: 'input_template.a',
        problem: expect.stringContaining('is unknown: trigger templates use event.body'),
      },
    ]);
    expect(eventTemplateProblems(['{{event.headers.X-GitHub-Event}}'])[0]).toMatchObject({
      path: 'input_template[0]',
      problem: 'names a header in upper case: header names are lower-case, use event.headers.x-github-event',
    });
    expect(eventTemplateProblems('{{event.headers.authorization}}')[0]?.problem).toBe(
      'names a credential header, which templates never see',
    );
    expect(eventTemplateProblems('{{event.payload}}')[0]?.problem).toBe(
      'is unknown: event has body, headers, query and received_at',
    );
    expect(eventTemplateProblems('{{event.query.a.b}}')[0]?.problem).toContain('too deep');
    expect(eventTemplateProblems('{{event.body.a b}}')[0]?.problem).toContain('is not a variable name');
  });

  it('hides credential headers from templates', () => {
    expect(
      templateHeaders({ authorization: 'Bearer x', cookie: 'c', 'x-hub-signature-256': 'sha256=…', 'X-Up': 'u' }),
    ).toEqual({ 'x-hub-signature-256': 'sha256=…', 'x-up': 'u' });
  });
});

describe('event bodies and delivery ids', () => {
  it('reads JSON, forms (with a JSON payload field), text and empty bodies, and refuses broken JSON', () => {
    expect(parseEventBody(Buffer.from('{"a":1}'), 'application/json; charset=utf-8')).toEqual({
      ok: true,
      value: { a: 1 },
    });
    expect(parseEventBody(Buffer.from('[1]'), undefined)).toEqual({ ok: true, value: [1] });
    expect(
      parseEventBody(Buffer.from('payload=%7B%22ref%22%3A%22main%22%7D&x=1'), 'application/x-www-form-urlencoded'),
    ).toEqual({
      ok: true,
      value: { payload: { ref: 'main' }, x: '1' },
    });
    expect(parseEventBody(Buffer.from('hello'), 'text/plain')).toEqual({ ok: true, value: 'hello' });
    expect(parseEventBody(Buffer.alloc(0), 'application/json')).toEqual({ ok: true, value: null });
    const broken = parseEventBody(Buffer.from('{"a":'), 'application/json');
    expect(broken.ok).toBe(false);
  });

  it('takes the configured header first, then X-GitHub-Delivery, then Idempotency-Key', () => {
    const headers = { 'x-request-id': 'r1', 'x-github-delivery': 'g1', 'idempotency-key': 'i1' };
    expect(deliveryKeyOf(headers, 'x-request-id')).toBe('r1');
    expect(deliveryKeyOf(headers, null)).toBe('g1');
    expect(deliveryKeyOf({ 'idempotency-key': 'i1' }, 'x-request-id')).toBe('i1');
    expect(deliveryKeyOf({}, null)).toBeUndefined();
  });
});
