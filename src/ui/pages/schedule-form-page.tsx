import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { schedulesApi, workflowsApi } from '../api/endpoints.ts';
import type { DstPolicy, Misfire, Overlap, PreviewExtras, Schedule, ScheduleSpec, SessionMode } from '../api/types.ts';
import { useCatalog } from '../components/catalog.tsx';
import { Field } from '../components/field.tsx';
import { JsonView } from '../components/json-view.tsx';
import { ErrorBanner, Loading } from '../components/states.tsx';
import { ManagedNotice } from '../components/source-badge.tsx';
import { useToast } from '../components/toasts.tsx';
import { refreshAll, usePoll } from '../hooks/use-poll.ts';
import { usePreview } from '../hooks/use-preview.ts';
import { href, navigate } from '../hooks/use-route.ts';
import { formatInstant, viewerZone, zoneAbbreviation } from '../lib/format.ts';
import {
  defaultPreset,
  presetFromSpec,
  presetLabels,
  presetSpec,
  weekdayNames,
  type PresetKind,
  type PresetState,
} from '../lib/schedule-presets.ts';
import { specOf } from '../lib/schedule-view.ts';
import {
  parseTemplateText,
  renderTemplate,
  templateText,
  templateVariables,
  unknownVariables,
} from '../lib/template-preview.ts';
import { isoToWallTime, timeZones, wallTimeToIso } from '../lib/zones.ts';

interface FormState {
  name: string;
  /** What the schedule fires: an assistant or a workflow. */
  target: 'assistant' | 'workflow';
  assistantId: string;
  workflowId: string;
  preset: PresetState;
  timezone: string;
  template: string;
  sessionMode: SessionMode;
  overlap: Overlap;
  maxConcurrent: string;
  timeout: string;
  retries: string;
  backoff: string;
  misfire: Misfire;
  catchupWindow: string;
  jitter: string;
  startAt: string;
  endAt: string;
  maxRuns: string;
  alertAfter: string;
  enabled: boolean;
  /** '' keeps the Vixie rule for the job. */
  dstRepeated: '' | 'first' | 'last' | 'both';
  dstSkipped: '' | 'shift' | 'skip';
  /** Dates as typed, separated by commas, spaces or lines. */
  excludeDates: string;
}

function initialState(): FormState {
  return {
    name: '',
    target: 'assistant',
    assistantId: '',
    workflowId: '',
    preset: defaultPreset(),
    timezone: viewerZone,
    template: '',
    sessionMode: 'new',
    overlap: 'skip',
    maxConcurrent: '1',
    timeout: '',
    retries: '0',
    backoff: '30s',
    misfire: 'run_once',
    catchupWindow: '',
    jitter: '',
    startAt: '',
    endAt: '',
    maxRuns: '',
    alertAfter: '3',
    enabled: true,
    dstRepeated: '',
    dstSkipped: '',
    excludeDates: '',
  };
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

function stateFrom(schedule: Schedule, duplicate: boolean): FormState {
  const spec = specOf(schedule);
  const base = defaultPreset();
  let preset: PresetState;
  if (spec.kind === 'once' && spec.at)
    preset = { ...base, kind: 'once', onceAt: isoToWallTime(spec.at, spec.timezone) };
  else if (spec.kind === 'interval' && spec.every) {
    const every = String(spec.every);
    // The API answers `every` in seconds.
    const minutes =
      /^(\d+)m$/.exec(every)?.[1] ??
      (/^\d+(\.\d+)?$/.test(every) ? String(Math.max(1, Math.round(Number(every) / 60))) : undefined);
    preset = minutes
      ? { ...base, kind: 'minutes', minutes: Number(minutes) }
      : { ...base, kind: 'minutes', minutes: 15 };
  } else preset = presetFromSpec(spec, base);
  return {
    name: duplicate ? `${schedule.name} copy` : schedule.name,
    target: schedule.workflow_id ? 'workflow' : 'assistant',
    assistantId: schedule.assistant_id ?? '',
    workflowId: schedule.workflow_id ?? '',
    preset,
    timezone: spec.timezone,
    template: templateText(schedule.input_template),
    sessionMode: schedule.session_mode ?? 'new',
    overlap: schedule.overlap ?? (schedule.skip_if_running ? 'skip' : 'allow'),
    maxConcurrent: text(schedule.max_concurrent ?? 1),
    timeout: text(schedule.timeout),
    retries: text(Math.max(0, (schedule.retry?.max_attempts ?? 1) - 1)),
    backoff: text(typeof schedule.retry?.backoff === 'object' ? (schedule.retry.backoff?.initial_s ?? 30) : 30),
    misfire: schedule.misfire ?? 'run_once',
    catchupWindow: text(schedule.catchup_window),
    jitter: schedule.jitter ? text(schedule.jitter) : '',
    startAt: schedule.start_at ? isoToWallTime(schedule.start_at, spec.timezone) : '',
    endAt: schedule.end_at ? isoToWallTime(schedule.end_at, spec.timezone) : '',
    maxRuns: text(schedule.max_runs),
    alertAfter: text(schedule.alert_after ?? 3),
    enabled: duplicate ? true : schedule.enabled,
    dstRepeated: schedule.dst?.repeated ?? '',
    dstSkipped: schedule.dst?.skipped ?? '',
    excludeDates: (schedule.exclude_dates ?? []).join(', '),
  };
}

/** The schedule part of the request for the current preset, or undefined when incomplete. */
function specFor(form: FormState): ScheduleSpec | undefined {
  if (form.preset.kind === 'once') {
    const at = wallTimeToIso(form.preset.onceAt, form.timezone);
    return at ? { at, timezone: form.timezone } : undefined;
  }
  const spec = presetSpec(form.preset);
  if ('cron' in spec && !spec.cron) return undefined;
  return { ...spec, timezone: form.timezone };
}

/** A duration as typed: a bare number is seconds; `5m`, `PT1H` pass through for the API to parse. */
function duration(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** `90`, `5m`, `1h30m`, `2d` as seconds (for fields the API takes only in seconds); NaN when unreadable. */
function seconds(value: string): number | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
  let total = 0;
  let consumed = '';
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * units[match[2]!]!;
    consumed += match[0];
  }
  return consumed.replace(/\s/g, '') === trimmed.replace(/\s/g, '') && consumed ? total : Number.NaN;
}

function integer(value: string): number | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : Number(trimmed);
}

/** The DST policy and excluded dates as the API takes them. */
function extrasOf(form: FormState): PreviewExtras {
  const dst: DstPolicy = {
    ...(form.dstRepeated && { repeated: form.dstRepeated }),
    ...(form.dstSkipped && { skipped: form.dstSkipped }),
  };
  return {
    dst: Object.keys(dst).length > 0 ? dst : null,
    exclude_dates: form.excludeDates.split(/[\s,]+/).filter((date) => date !== ''),
  };
}

function requestBody(form: FormState, spec: ScheduleSpec | undefined): Record<string, unknown> {
  const retries = integer(form.retries) ?? 0;
  return {
    name: form.name.trim(),
    ...(form.target === 'workflow'
      ? { workflow_id: form.workflowId || undefined }
      : { assistant_id: form.assistantId || undefined }),
    schedule: spec ?? { cron: form.preset.cron, timezone: form.timezone },
    input_template: parseTemplateText(form.template),
    session_mode: form.sessionMode,
    overlap: form.overlap,
    max_concurrent: integer(form.maxConcurrent) ?? 1,
    timeout: seconds(form.timeout),
    retry: { max_attempts: retries + 1, backoff: { initial_s: seconds(form.backoff) ?? 30 } },
    misfire: form.misfire,
    catchup_window: duration(form.catchupWindow),
    jitter: duration(form.jitter),
    start_at: form.startAt ? (wallTimeToIso(form.startAt, form.timezone) ?? null) : null,
    end_at: form.endAt ? (wallTimeToIso(form.endAt, form.timezone) ?? null) : null,
    max_runs: integer(form.maxRuns),
    alert_after: integer(form.alertAfter) ?? 3,
    enabled: form.enabled,
    ...extrasOf(form),
  };
}

type FieldKey = keyof FormState | 'schedule';

/** The form field an API error names (`schedule.cron` → the schedule inputs). */
function fieldOf(apiField: string | undefined): FieldKey | undefined {
  if (!apiField) return undefined;
  const f = apiField.replace(/^body\./, '');
  if (/^schedule\.timezone|^timezone/.test(f)) return 'timezone';
  if (/^schedule|^cron|^at$|^every/.test(f)) return 'schedule';
  const table: Record<string, FieldKey> = {
    name: 'name',
    assistant_id: 'assistantId',
    workflow_id: 'workflowId',
    input_template: 'template',
    session_mode: 'sessionMode',
    overlap: 'overlap',
    max_concurrent: 'maxConcurrent',
    timeout: 'timeout',
    retry: 'retries',
    misfire: 'misfire',
    catchup_window: 'catchupWindow',
    jitter: 'jitter',
    start_at: 'startAt',
    end_at: 'endAt',
    max_runs: 'maxRuns',
    alert_after: 'alertAfter',
  };
  const head = f.split(/[.[]/)[0]!;
  if (f.startsWith('retry.backoff')) return 'backoff';
  if (f.startsWith('dst')) return f === 'dst.skipped' ? 'dstSkipped' : 'dstRepeated';
  if (f.startsWith('exclude_dates')) return 'excludeDates';
  return table[head];
}

export function ScheduleFormPage({ scheduleId, duplicate = false }: { scheduleId?: string; duplicate?: boolean }) {
  const editing = Boolean(scheduleId) && !duplicate;
  const { assistants } = useCatalog();
  const workflows = usePoll(() => workflowsApi.list().then((page) => page.data), [], 10_000);
  const notify = useToast();
  const [form, setForm] = useState<FormState>(initialState);
  const [original, setOriginal] = useState<Schedule>();
  const [loadError, setLoadError] = useState<Error>();
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const zones = useMemo(timeZones, []);

  useEffect(() => {
    if (!scheduleId) return;
    schedulesApi.get(scheduleId).then(
      (schedule) => {
        setOriginal(schedule);
        setForm(stateFrom(schedule, duplicate));
      },
      (error: unknown) => setLoadError(error as Error),
    );
  }, [scheduleId, duplicate]);

  const active = (assistants ?? []).filter((a) => a.status === 'active' || a.id === original?.assistant_id);
  const activeWorkflows = (workflows.data ?? []).filter((w) => w.status === 'active' || w.id === original?.workflow_id);
  useEffect(() => {
    if (form.target === 'assistant' && !form.assistantId && !scheduleId && active.length === 1)
      setForm((f) => ({ ...f, assistantId: active[0]!.id }));
  }, [active, form.target, form.assistantId, scheduleId]);

  const spec = specFor(form);
  const extras = extrasOf(form);
  const preview = usePreview(spec, 5, 250, extras);
  const extrasError =
    preview.error && /^(body\.)?(dst|exclude_dates)/.test(preview.error.field ?? '') ? preview.error : undefined;
  const scheduleError =
    errors.schedule ??
    (preview.error && !extrasError && preview.error.field !== 'timezone' && !/timezone/.test(preview.error.field ?? '')
      ? preview.error.message
      : undefined);
  const timezoneError =
    errors.timezone ??
    (preview.error && /timezone/.test(preview.error.field ?? '') ? preview.error.message : undefined);

  const template = parseTemplateText(form.template);
  const unknown = unknownVariables(template);
  const firstFire = preview.times[0];
  const rendered =
    firstFire && template !== null
      ? renderTemplate(template, {
          at: firstFire,
          timezone: form.timezone,
          runNumber: (editing ? (original?.run_count ?? 0) : 0) + 1,
          scheduleName: form.name || 'my-schedule',
          scheduleId: editing ? (original?.id ?? '') : '(new)',
        })
      : undefined;

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined, ...(key === 'preset' && { schedule: undefined }) }));
  };
  const setPreset = (changes: Partial<PresetState>) => set('preset', { ...form.preset, ...changes });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const local: Partial<Record<FieldKey, string>> = {};
    if (!form.name.trim()) local.name = 'Give the schedule a name.';
    if (form.target === 'assistant' && !form.assistantId) local.assistantId = 'Choose the assistant to run.';
    if (form.target === 'workflow' && !form.workflowId) local.workflowId = 'Choose the workflow to run.';
    if (Number.isNaN(seconds(form.timeout))) local.timeout = 'Write seconds (90) or a duration like 5m, 1h30m.';
    if (Number.isNaN(seconds(form.backoff))) local.backoff = 'Write seconds (30) or a duration like 1m.';
    if (unknown.length > 0)
      local.template = `Unknown variable${unknown.length > 1 ? 's' : ''}: ${unknown.map((v) => `{{${v}}}`).join(', ')}`;
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return;
    }
    setSaving(true);
    try {
      const body = requestBody(form, spec);
      const saved =
        editing && scheduleId ? await schedulesApi.update(scheduleId, body) : await schedulesApi.create(body);
      notify('success', editing ? `Saved “${saved.name}”.` : `Created “${saved.name}”.`);
      refreshAll();
      navigate(`/schedules/${saved.id}`);
    } catch (error) {
      if (error instanceof ApiError) {
        const field = fieldOf(error.field);
        if (field) setErrors({ [field]: error.message });
        else setFormError(error.message);
      } else setFormError((error as Error).message);
    } finally {
      setSaving(false);
    }
  };

  if (loadError)
    return (
      <div className="page">
        <ErrorBanner error={loadError} />
      </div>
    );
  if (scheduleId && !original)
    return (
      <div className="page">
        <Loading />
      </div>
    );

  const title = editing ? `Edit “${original?.name}”` : duplicate ? `Duplicate “${original?.name}”` : 'New schedule';
  const kinds = Object.keys(presetLabels) as PresetKind[];
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href('/schedules')}>Schedules</a>
        {original && editing && (
          <>
            {' / '}
            <a href={href(`/schedules/${original.id}`)}>{original.name}</a>
          </>
        )}
      </nav>
      <h1>{title}</h1>
      {editing && original && <ManagedNotice schedule={original} editing />}
      <form className="schedule-form" onSubmit={submit} noValidate aria-label={title}>
        {formError && (
          <div className="banner error" role="alert">
            {formError}
          </div>
        )}
        <div className="form-grid">
          <div className="form-main">
            <section className="card">
              <h2>What runs</h2>
              <Field label="Name" error={errors.name}>
                <input
                  value={form.name}
                  onChange={(event) => set('name', event.target.value)}
                  placeholder="daily-digest"
                  autoComplete="off"
                  required
                />
              </Field>
              <div className="segmented" role="radiogroup" aria-label="Target">
                {(['assistant', 'workflow'] as const).map((target) => (
                  <label key={target} className={form.target === target ? 'segment active' : 'segment'}>
                    <input
                      type="radio"
                      name="target"
                      value={target}
                      checked={form.target === target}
                      onChange={() => set('target', target)}
                    />
                    {target === 'assistant' ? 'An assistant' : 'A workflow'}
                  </label>
                ))}
              </div>
              {form.target === 'assistant' && (
                <Field
                  label="Assistant"
                  error={errors.assistantId}
                  hint={
                    active.length === 0 ? (
                      <a href={href('/assistants/new')}>Create an assistant first</a>
                    ) : (
                      'Only active assistants can be scheduled.'
                    )
                  }
                >
                  <select
                    value={form.assistantId}
                    onChange={(event) => set('assistantId', event.target.value)}
                    required
                  >
                    <option value="">Choose an assistant…</option>
                    {active.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name} ({a.kind}){a.status !== 'active' ? ' — inactive' : ''}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              {form.target === 'workflow' && (
                <Field
                  label="Workflow"
                  error={errors.workflowId}
                  hint={
                    activeWorkflows.length === 0 ? (
                      <a href={href('/workflows')}>No active workflow: create one with the API or the CLI</a>
                    ) : (
                      'Only active workflows can be scheduled.'
                    )
                  }
                >
                  <select value={form.workflowId} onChange={(event) => set('workflowId', event.target.value)} required>
                    <option value="">Choose a workflow…</option>
                    {activeWorkflows.map((w) => (
                      <option key={w.id} value={w.id}>
                        {w.name} (v{w.version}){w.status !== 'active' ? ' — inactive' : ''}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
            </section>

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
                    <input
                      type="time"
                      value={form.preset.time}
                      onChange={(event) => setPreset({ time: event.target.value })}
                    />
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
                        minute hour day-of-month month day-of-week · e.g. <code>*/15 9-17 * * 1-5</code>,{' '}
                        <code>0 9 L * *</code>, <code>@daily</code>
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

            <section className="card">
              <h2>Input</h2>
              <Field
                label="Input template"
                error={
                  errors.template ??
                  (unknown.length > 0
                    ? `Unknown variable${unknown.length > 1 ? 's' : ''}: ${unknown.map((v) => `{{${v}}}`).join(', ')}`
                    : undefined)
                }
                hint="Text, or JSON. Variables are replaced at each fire."
              >
                <textarea
                  className="mono"
                  rows={5}
                  value={form.template}
                  onChange={(event) => set('template', event.target.value)}
                  placeholder={'{"task": "Summarise the news of {{date}} ({{day_of_week}})"}'}
                  spellCheck={false}
                />
              </Field>
              <div className="variables" aria-label="Template variables">
                {templateVariables.map((variable) => (
                  <button
                    type="button"
                    key={variable.name}
                    className="chip"
                    title={variable.help}
                    onClick={() => set('template', `${form.template}{{${variable.name}}}`)}
                    aria-label={`Insert {{${variable.name}}}: ${variable.help}`}
                  >
                    {`{{${variable.name}}}`}
                  </button>
                ))}
              </div>
              {rendered !== undefined && (
                <div className="rendered">
                  <div className="eyebrow">Rendered for the next fire ({formatInstant(firstFire, form.timezone)})</div>
                  <JsonView value={rendered} label="Rendered input preview" />
                </div>
              )}
            </section>

            <section className="card">
              <h2>Execution</h2>
              <div className="fields-grid">
                <Field label="Session" hint="Persistent: every run continues the same conversation thread.">
                  <select
                    value={form.sessionMode}
                    onChange={(event) => set('sessionMode', event.target.value as SessionMode)}
                  >
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
                <Field label="Timeout" hint="Seconds, or 5m, 1h" error={errors.timeout}>
                  <input
                    value={form.timeout}
                    onChange={(event) => set('timeout', event.target.value)}
                    placeholder="assistant default"
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
                  <input value={form.backoff} onChange={(event) => set('backoff', event.target.value)} />
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
                  <input
                    value={form.jitter}
                    onChange={(event) => set('jitter', event.target.value)}
                    placeholder="none"
                  />
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
                  <input
                    type="datetime-local"
                    value={form.startAt}
                    onChange={(event) => set('startAt', event.target.value)}
                  />
                </Field>
                <Field label="End at" hint="No run at or after it" error={errors.endAt}>
                  <input
                    type="datetime-local"
                    value={form.endAt}
                    onChange={(event) => set('endAt', event.target.value)}
                  />
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
                  label="Repeated times (DST)"
                  hint="When clocks go back"
                  error={errors.dstRepeated ?? (extrasError?.field?.includes('dst') ? extrasError.message : undefined)}
                >
                  <select
                    value={form.dstRepeated}
                    onChange={(event) => set('dstRepeated', event.target.value as FormState['dstRepeated'])}
                  >
                    <option value="">Cron rule (fixed: first, wild: both)</option>
                    <option value="first">First instant</option>
                    <option value="last">Last instant</option>
                    <option value="both">Both instants</option>
                  </select>
                </Field>
                <Field label="Skipped times (DST)" hint="When clocks go forward">
                  <select
                    value={form.dstSkipped}
                    onChange={(event) => set('dstSkipped', event.target.value as FormState['dstSkipped'])}
                  >
                    <option value="">Cron rule (fixed: shift, wild: skip)</option>
                    <option value="shift">Fire once after the gap</option>
                    <option value="skip">Do not fire</option>
                  </select>
                </Field>
                <Field
                  label="Excluded dates"
                  className="grow"
                  hint={`YYYY-MM-DD in ${form.timezone}, separated by commas`}
                  error={
                    errors.excludeDates ??
                    (extrasError?.field?.includes('exclude_dates') ? extrasError.message : undefined)
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
                <input
                  type="checkbox"
                  checked={form.enabled}
                  onChange={(event) => set('enabled', event.target.checked)}
                />{' '}
                Enabled (fires on its schedule)
              </label>
            </section>
          </div>

          <aside className="form-side">
            <section className="card sticky preview-card" aria-live="polite" aria-label="Schedule preview">
              <h2>Preview</h2>
              {scheduleError ? (
                <p className="field-error">{scheduleError}</p>
              ) : (
                <>
                  <p className="preview-description" data-testid="preview-description">
                    {preview.description ?? (preview.loading ? '…' : '—')}
                  </p>
                  {spec?.cron && <code className="cron">{spec.cron}</code>}
                  <ol className="fire-times" aria-label="Next fire times">
                    {preview.times.map((time) => (
                      <li key={time}>
                        <span className="tabular">{formatInstant(time, form.timezone)}</span>
                        <span className="muted small"> {zoneAbbreviation(time, form.timezone)}</span>
                        {zoneAbbreviation(time, form.timezone) !== zoneAbbreviation(time, viewerZone) && (
                          <div className="muted small">
                            {formatInstant(time, viewerZone)} {zoneAbbreviation(time, viewerZone)} yours
                          </div>
                        )}
                      </li>
                    ))}
                  </ol>
                  {!preview.loading && preview.times.length === 0 && !preview.error && (
                    <p className="muted small">No upcoming fire time.</p>
                  )}
                  {preview.excluded.length > 0 && (
                    <p className="muted small" data-testid="preview-excluded">
                      Excluded: {preview.excluded.map((time) => formatInstant(time, form.timezone)).join(', ')}
                    </p>
                  )}
                  {preview.dst && (
                    <p className="small" data-testid="preview-dst">
                      <strong>Next clock change:</strong> {preview.dst.effect}.
                    </p>
                  )}
                </>
              )}
              <div className="form-actions">
                <button type="submit" className="button primary" disabled={saving}>
                  {saving ? 'Saving…' : editing ? 'Save changes' : 'Create schedule'}
                </button>
                <a className="button" href={href(original && editing ? `/schedules/${original.id}` : '/schedules')}>
                  Cancel
                </a>
              </div>
            </section>
          </aside>
        </div>
      </form>
    </div>
  );
}
