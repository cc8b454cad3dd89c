import { useMemo } from 'react';
import type { SectionProps } from '../../lib/schedule-form-state.ts';
import { presetLabels, weekdayNames, type PresetKind, type PresetState } from '../../lib/schedule-presets.ts';
import { timeZones } from '../../lib/zones.ts';
import { Field } from '../field.tsx';

/** When the schedule fires: a preset (or a raw cron) and the time zone. */
export function WhenFields({
  form,
  set,
  scheduleError,
  timezoneError,
}: SectionProps & { scheduleError?: string; timezoneError?: string }) {
  const zones = useMemo(timeZones, []);
  const kinds = Object.keys(presetLabels) as PresetKind[];
  const setPreset = (changes: Partial<PresetState>) => set('preset', { ...form.preset, ...changes });
  return (
    <section className="card">
      <h2>When</h2>
      <div className="segmented" role="radiogroup" aria-label="Schedule type">
        {kinds.map((kind) => (
          <label key={kind} className={form.preset.kind === kind ? 'segment active' : 'segment'}>
            <input
              type="radio"
              name="preset"
              value={kind}
              checked={form.preset.kind === kind}
              onChange={() => setPreset({ kind })}
            />
            {presetLabels[kind]}
          </label>
        ))}
      </div>
      <div className="preset-inputs">
        {form.preset.kind === 'minutes' && (
          <Field label="Every how many minutes" error={scheduleError}>
            <input
              type="number"
              min={1}
              max={1440}
              value={form.preset.minutes}
              onChange={(event) => setPreset({ minutes: Number(event.target.value) })}
            />
          </Field>
        )}
        {form.preset.kind === 'hourly' && (
          <Field label="At minute" error={scheduleError}>
            <input
              type="number"
              min={0}
              max={59}
              value={form.preset.minute}
              onChange={(event) => setPreset({ minute: Number(event.target.value) })}
            />
          </Field>
        )}
        {form.preset.kind === 'weekly' && (
          <Field label="Day of week">
            <select
              value={form.preset.weekday}
              onChange={(event) => setPreset({ weekday: Number(event.target.value) })}
            >
              {weekdayNames.map((day, index) => (
                <option key={day} value={index}>
                  {day}
                </option>
              ))}
            </select>
          </Field>
        )}
        {form.preset.kind === 'monthly' && (
          <Field label="Day of month">
            <input
              type="number"
              min={1}
              max={31}
              value={form.preset.dayOfMonth}
              onChange={(event) => setPreset({ dayOfMonth: Number(event.target.value) })}
            />
          </Field>
        )}
        {['daily', 'weekdays', 'weekly', 'monthly'].includes(form.preset.kind) && (
          <Field label="Time" error={scheduleError}>
            <input type="time" value={form.preset.time} onChange={(event) => setPreset({ time: event.target.value })} />
          </Field>
        )}
        {form.preset.kind === 'once' && (
          <Field label="Date and time" error={scheduleError}>
            <input
              type="datetime-local"
              value={form.preset.onceAt}
              onChange={(event) => setPreset({ onceAt: event.target.value })}
            />
          </Field>
        )}
        {form.preset.kind === 'cron' && (
          <Field
            label="Cron expression"
            className="grow"
            error={scheduleError}
            hint={
              <>
                minute hour day-of-month month day-of-week · e.g. <code>*/15 9-17 * * 1-5</code>, <code>0 9 L * *</code>
                , <code>@daily</code>
              </>
            }
          >
            <input
              className="mono"
              value={form.preset.cron}
              onChange={(event) => setPreset({ cron: event.target.value })}
              placeholder="0 9 * * 1-5"
              spellCheck={false}
              autoComplete="off"
            />
          </Field>
        )}
        <Field label="Time zone" error={timezoneError} className="zone-field">
          <input
            list="zones"
            value={form.timezone}
            onChange={(event) => set('timezone', event.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
        </Field>
        <datalist id="zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </div>
    </section>
  );
}
