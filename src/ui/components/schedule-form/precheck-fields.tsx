import { useState } from 'react';
import type { PrecheckTestRequest, PrecheckTestResult } from '../../../sdk/index.ts';
import { schedulesApi } from '../../api/endpoints.ts';
import type { ApiError } from '../../api/client.ts';
import { parseTemplateText } from '../../lib/template-preview.ts';
import { precheckOf, type SectionProps } from '../../lib/schedule-form-state.ts';
import { Field } from '../field.tsx';
import { JsonView } from '../json-view.tsx';

/** A cheap check before each fire (docs/gates.md): false skips the run without calling the agent. */
export function PrecheckFields({ form, set, errors }: SectionProps) {
  const [result, setResult] = useState<PrecheckTestResult>();
  const [problem, setProblem] = useState<string>();
  const [testing, setTesting] = useState(false);

  const test = async () => {
    setProblem(undefined);
    setResult(undefined);
    const precheck = precheckOf(form);
    if (!precheck) {
      setProblem('Write a condition first, e.g. response.body.count > 0');
      return;
    }
    setTesting(true);
    try {
      // The template as typed (its {{variables}} are not rendered here).
      const input = parseTemplateText(form.template) as PrecheckTestRequest['input'];
      setResult(await schedulesApi.testPrecheck({ precheck, ...(input !== null && input !== undefined && { input }) }));
    } catch (error) {
      setProblem((error as ApiError | Error).message);
    } finally {
      setTesting(false);
    }
  };

  return (
    <section className="card" aria-label="Precheck">
      <h2>Precheck</h2>
      <p className="hint">
        Checked before each fire: when the condition is false the run is recorded skipped and the agent is not called.
        Leave the condition empty for none.
      </p>
      <Field label="Check URL" hint="Optional: requested before each fire (GET or POST)" error={errors.precheckUrl}>
        <input
          value={form.precheckUrl}
          onChange={(event) => set('precheckUrl', event.target.value)}
          placeholder="https://api.example.com/inbox/count"
        />
      </Field>
      <Field label="Method">
        <select
          value={form.precheckMethod}
          onChange={(event) => set('precheckMethod', event.target.value as 'GET' | 'POST')}
        >
          <option value="GET">GET</option>
          <option value="POST">POST</option>
        </select>
      </Field>
      <Field
        label="Condition"
        hint="CEL over response (status, headers, body), last_run, last_precheck, fire_at, input"
        error={errors.precheckCondition}
      >
        <input
          className="mono"
          value={form.precheckCondition}
          onChange={(event) => set('precheckCondition', event.target.value)}
          placeholder="response.body != last_precheck"
          spellCheck={false}
        />
      </Field>
      <Field label="When the check fails">
        <select
          value={form.precheckOnError}
          onChange={(event) => set('precheckOnError', event.target.value as 'run' | 'skip')}
        >
          <option value="run">Run anyway</option>
          <option value="skip">Skip the run</option>
        </select>
      </Field>
      <Field label="Check timeout" hint="Default 5s, at most 60s" error={errors.precheckTimeout}>
        <input
          value={form.precheckTimeout}
          onChange={(event) => set('precheckTimeout', event.target.value)}
          placeholder="5s"
        />
      </Field>
      <Field label="Alert on skips" hint="Occurrences in a row without a start, any reason" error={errors.alertOnSkips}>
        <input
          inputMode="numeric"
          value={form.alertOnSkips}
          onChange={(event) => set('alertOnSkips', event.target.value)}
          placeholder="never"
        />
      </Field>
      <div>
        <button type="button" className="button" onClick={() => void test()} disabled={testing}>
          {testing ? 'Testing…' : 'Test now'}
        </button>
      </div>
      {problem && (
        <div className="banner error" role="alert">
          {problem}
        </div>
      )}
      {result && (
        <div className="stack" aria-label="Precheck result">
          <p role="status" className={result.decision === 'run' ? 'banner success' : 'banner error'}>
            {result.verdict === null
              ? `The check failed (${result.error}): the run would ${result.decision === 'run' ? 'go on' : 'be skipped'}`
              : result.verdict
                ? `True in ${result.ms} ms: the agent would be called`
                : `False in ${result.ms} ms: the run would be skipped`}
          </p>
          {result.response && (
            <>
              <div className="eyebrow">Response {result.response.status}</div>
              <JsonView value={result.response.body} label="Precheck response body" />
            </>
          )}
        </div>
      )}
    </section>
  );
}
