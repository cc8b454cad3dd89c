import { useEffect, useState, type FormEvent } from 'react';
import type { Schedule } from '../../sdk/index.ts';
import { ApiError } from '../api/client.ts';
import { schedulesApi } from '../api/endpoints.ts';
import { useToast } from '../components/toasts.tsx';
import {
  extrasOf,
  fieldOf,
  initialState,
  requestBody,
  seconds,
  specFor,
  stateFrom,
  type FieldKey,
  type FormState,
} from '../lib/schedule-form-state.ts';
import { parseTemplateText, renderTemplate, templateProblem } from '../lib/template-preview.ts';
import { refreshAll } from './use-poll.ts';
import { usePreview } from './use-preview.ts';
import { navigate } from './use-route.ts';

/**
 * The schedule form's state: the schedule it edits (or duplicates), the fields, their errors, the
 * live preview, the rendered template, and `submit`, which saves and opens the schedule.
 */
export function useScheduleForm(scheduleId: string | undefined, duplicate: boolean) {
  const editing = Boolean(scheduleId) && !duplicate;
  const notify = useToast();
  const [form, setForm] = useState<FormState>(initialState);
  const [original, setOriginal] = useState<Schedule>();
  const [loadError, setLoadError] = useState<Error>();
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);

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

  const spec = specFor(form);
  const preview = usePreview(spec, 5, 250, extrasOf(form));
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
  const problem = templateProblem(template);
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const local: Partial<Record<FieldKey, string>> = {};
    if (!form.name.trim()) local.name = 'Give the schedule a name.';
    if (form.target === 'assistant' && !form.assistantId) local.assistantId = 'Choose the assistant to run.';
    if (form.target === 'workflow' && !form.workflowId) local.workflowId = 'Choose the workflow to run.';
    if (Number.isNaN(seconds(form.timeout))) local.timeout = 'Write seconds (90) or a duration like 5m, 1h30m.';
    if (Number.isNaN(seconds(form.backoff))) local.backoff = 'Write seconds (30) or a duration like 1m.';
    if (problem) local.template = problem;
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

  return {
    editing,
    form,
    setForm,
    set,
    original,
    loadError,
    errors,
    formError,
    saving,
    spec,
    preview,
    extrasError,
    scheduleError,
    timezoneError,
    problem,
    rendered,
    firstFire,
    submit,
  };
}
