import type { Misfire, Overlap, SessionMode } from '../../../sdk/index.ts';
import type { ApiError } from '../../api/client.ts';
import type { FormState, SectionProps } from '../../lib/schedule-form-state.ts';
import { Field } from '../field.tsx';

/** How each run goes: session, overlap, limits, retries, missed runs, the schedule window and DST. */
export function ExecutionFields({ form, set, errors, extrasError }: SectionProps & { extrasError?: ApiError }) {
  return (
    <section className="card">
      <h2>Execution</h2>
      <div className="fields-grid">
        <Field label="Session" hint="Persistent: every run continues the same conversation thread.">
          <select value={form.sessionMode} onChange={(event) => set('sessionMode', event.target.value as SessionMode)}>
            <option value="new">New thread per run</option>
            <option value="persistent">Persistent thread</option>
          </select>
        </Field>
        <Field label="When still running" error={errors.overlap}>
          <select value={form.overlap} onChange={(event) => set('overlap', event.target.value as Overlap)}>
            <option value="skip">Skip the new run</option>
            <option value="queue">Queue it</option>
            <option value="allow">Run side by side</option>
            <option value="cancel_previous">Cancel the previous run</option>
          </select>
        </Field>
        <Field label="Max concurrent" error={errors.maxConcurrent}>
          <input
            type="number"
            min={1}
            value={form.maxConcurrent}
            onChange={(event) => set('maxConcurrent', event.target.value)}
          />
        </Field>
        <Field label="Priority" hint="When runs wait for slots: 1 starts first" error={errors.priority}>
          <select value={form.priority} onChange={(event) => set('priority', event.target.value)}>
            {['1', '2', '3', '4', '5'].map((p) => (
              <option key={p} value={p}>
                {p === '3' ? '3 (default)' : p}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Concurrency key"
          hint="At most a limit of runs per key, e.g. {{input.customer}}; empty: none"
          error={errors.concurrencyKey}
        >
          <input
            value={form.concurrencyKey}
            onChange={(event) => set('concurrencyKey', event.target.value)}
            placeholder="none"
          />
        </Field>
        {form.concurrencyKey.trim() !== '' && (
          <>
            <Field label="Runs per key" error={errors.concurrencyLimit}>
              <input
                type="number"
                min={1}
                value={form.concurrencyLimit}
                onChange={(event) => set('concurrencyLimit', event.target.value)}
              />
            </Field>
            <Field label="When the key is busy" error={errors.concurrencyStrategy}>
              <select
                value={form.concurrencyStrategy}
                onChange={(event) => set('concurrencyStrategy', event.target.value as FormState['concurrencyStrategy'])}
              >
                <option value="queue">Queue it (first in, first out)</option>
                <option value="skip">Skip the new run</option>
                <option value="cancel_oldest">Cancel the oldest run</option>
              </select>
            </Field>
          </>
        )}
        <Field label="Timeout" hint="Seconds, or 5m, 1h" error={errors.timeout}>
          <input
            value={form.timeout}
            onChange={(event) => set('timeout', event.target.value)}
            placeholder="300 (the default)"
          />
        </Field>
        <Field label="Retries" hint="Extra attempts after a failure" error={errors.retries}>
          <input
            type="number"
            min={0}
            max={20}
            value={form.retries}
            onChange={(event) => set('retries', event.target.value)}
          />
        </Field>
        <Field label="Retry backoff" hint="First delay; doubles each time" error={errors.backoff}>
          <input
            value={form.backoff}
            onChange={(event) => set('backoff', event.target.value)}
            placeholder="1s (the default)"
          />
        </Field>
        <Field label="Missed runs" hint="After downtime" error={errors.misfire}>
          <select value={form.misfire} onChange={(event) => set('misfire', event.target.value as Misfire)}>
            <option value="run_once">Run once</option>
            <option value="skip">Skip them</option>
            <option value="run_all">Run all</option>
          </select>
        </Field>
        <Field label="Catch-up window" hint="How far back to catch up" error={errors.catchupWindow}>
          <input
            value={form.catchupWindow}
            onChange={(event) => set('catchupWindow', event.target.value)}
            placeholder="default"
          />
        </Field>
        <Field label="Jitter" hint="Random delay, up to" error={errors.jitter}>
          <input value={form.jitter} onChange={(event) => set('jitter', event.target.value)} placeholder="none" />
        </Field>
        <Field label="Alert after" hint="Consecutive failures" error={errors.alertAfter}>
          <input
            type="number"
            min={1}
            value={form.alertAfter}
            onChange={(event) => set('alertAfter', event.target.value)}
          />
        </Field>
        <Field label="Start at" hint={`In ${form.timezone}`} error={errors.startAt}>
          <input type="datetime-local" value={form.startAt} onChange={(event) => set('startAt', event.target.value)} />
        </Field>
        <Field label="End at" hint="No run at or after it" error={errors.endAt}>
          <input type="datetime-local" value={form.endAt} onChange={(event) => set('endAt', event.target.value)} />
        </Field>
        <Field label="Max runs" error={errors.maxRuns}>
          <input
            type="number"
            min={1}
            value={form.maxRuns}
            onChange={(event) => set('maxRuns', event.target.value)}
            placeholder="unlimited"
          />
        </Field>
        <Field
          label="When clocks go back (a time happens twice)"
          className="span-2"
          hint="The usual rule: a job at a set time runs once; a job every few minutes runs both times."
          error={errors.dstRepeated ?? (extrasError?.field?.includes('dst') ? extrasError.message : undefined)}
        >
          <select
            value={form.dstRepeated}
            onChange={(event) => set('dstRepeated', event.target.value as FormState['dstRepeated'])}
          >
            <option value="">The usual cron rule</option>
            <option value="first">Run once, the first time</option>
            <option value="last">Run once, the second time</option>
            <option value="both">Run both times</option>
          </select>
        </Field>
        <Field
          label="When clocks go forward (a time is skipped)"
          className="span-2"
          hint="The usual rule: a job at a set time runs right after the jump; a job every few minutes skips it."
        >
          <select
            value={form.dstSkipped}
            onChange={(event) => set('dstSkipped', event.target.value as FormState['dstSkipped'])}
          >
            <option value="">The usual cron rule</option>
            <option value="shift">Run right after the jump</option>
            <option value="skip">Do not run that time</option>
          </select>
        </Field>
        <Field
          label="Excluded dates"
          className="grow"
          hint={`YYYY-MM-DD in ${form.timezone}, separated by commas`}
          error={
            errors.excludeDates ?? (extrasError?.field?.includes('exclude_dates') ? extrasError.message : undefined)
          }
        >
          <input
            value={form.excludeDates}
            onChange={(event) => set('excludeDates', event.target.value)}
            placeholder="2026-12-25, 2027-01-01"
            spellCheck={false}
          />
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={form.enabled} onChange={(event) => set('enabled', event.target.checked)} />{' '}
        Enabled (fires on its schedule)
      </label>
    </section>
  );
}
