import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { assistantsApi } from '../api/endpoints.ts';
import type { AgentExchange, AssistantKind, TestCallResult } from '../../sdk/index.ts';
import { Field } from './field.tsx';
import { JsonView } from './json-view.tsx';

/** A body shown pretty-printed when it is JSON, as is otherwise. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

function Exchange({ exchange, index }: { exchange: AgentExchange; index: number }) {
  const { request, response } = exchange;
  return (
    <section className="stack" aria-label={`Request ${index + 1}`}>
      <h4 className="mono">
        {request.method} {request.url}
      </h4>
      <pre className="mono" aria-label="Request">{`${headerLines(request.headers)}\n\n${pretty(request.body)}`}</pre>
      {response ? (
        <pre
          className="mono"
          aria-label="Response"
        >{`HTTP ${response.status}\n${headerLines(response.headers)}\n\n${pretty(response.body)}`}</pre>
      ) : (
        <p className="banner error">{exchange.error ?? 'No answer'}</p>
      )}
    </section>
  );
}

/**
 * "Test call": runs the assistant the form describes once (nothing is saved, no run is created)
 * and shows the raw requests and answers, so that a remote agent can be checked before it is
 * scheduled. Secrets are never shown: the server redacts them.
 */
export function TestCallPanel({ kind, config }: { kind: AssistantKind; config: () => Record<string, unknown> }) {
  const [input, setInput] = useState('');
  const [result, setResult] = useState<TestCallResult>();
  const [problem, setProblem] = useState<string>();
  const [calling, setCalling] = useState(false);

  const call = async () => {
    setProblem(undefined);
    setResult(undefined);
    setCalling(true);
    try {
      let value: unknown = input;
      if (input.trim() === '') value = null;
      else {
        try {
          value = JSON.parse(input) as unknown;
        } catch {
          value = input; // plain text input
        }
      }
      setResult(await assistantsApi.testCall({ kind, config: config(), input: value }));
    } catch (error) {
      setProblem(
        error instanceof ApiError
          ? // The API's message already starts with its field (`config.url: …`): say it once.
            `${error.field && !error.message.startsWith(`${error.field}: `) ? `${error.field}: ` : ''}${error.message}`
          : (error as Error).message,
      );
    } finally {
      setCalling(false);
    }
  };

  return (
    <details className="stack test-call">
      <summary>Test call</summary>
      <Field label="Test input" hint="JSON, or plain text">
        <textarea
          className="mono"
          rows={2}
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder={'{"topic": "sales"}'}
        />
      </Field>
      <div>
        <button type="button" className="button" onClick={() => void call()} disabled={calling}>
          {calling ? 'Calling…' : 'Run test call'}
        </button>
      </div>
      {problem && (
        <div className="banner error" role="alert">
          {problem}
        </div>
      )}
      {result && (
        <div className="stack" aria-label="Test call result">
          <p role="status" className={result.ok ? 'banner success' : 'banner error'}>
            {result.ok
              ? `Succeeded in ${result.duration_ms} ms`
              : `Failed (${result.error?.kind}): ${result.error?.message}`}
          </p>
          {result.ok && <JsonView value={result.output} label="Output" />}
          {result.exchanges.map((exchange, index) => (
            <Exchange key={index} exchange={exchange} index={index} />
          ))}
        </div>
      )}
    </details>
  );
}
