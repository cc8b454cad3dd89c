import type { DstPolicy, Misfire, Overlap, Precheck, Schedule, ScheduleSpec, SessionMode } from '../../sdk/index.ts';
import type { PreviewExtras } from '../api/endpoints.ts';
import { viewerZone } from './format.ts';
import { defaultPreset, presetFromSpec, presetSpec, type PresetState } from './schedule-presets.ts';
import { specOf } from './schedule-view.ts';
import { parseTemplateText, templateText } from './template-preview.ts';
import { isoToWallTime, wallTimeToIso } from './zones.ts';

/** The schedule form's fields as typed (text until sent). */
export interface FormState {
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
  /** 1 (first) to 5 among runs waiting for slots. */
  priority: string;
  /** A concurrency key template ('' : none), its limit and strategy (docs/gates.md). */
  concurrencyKey: string;
  concurrencyLimit: string;
  concurrencyStrategy: 'queue' | 'skip' | 'cancel_oldest';
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
  /** The precheck (docs/gates.md): no condition, no precheck. */
  precheckUrl: string;
  precheckMethod: 'GET' | 'POST';
  precheckCondition: string;
  precheckOnError: 'run' | 'skip';
  precheckTimeout: string;
  /** What the form does not edit (headers, body), kept as it was. */
  precheckKept: Record<string, unknown>;
  alertOnSkips: string;
}

export function initialState(): FormState {
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
    priority: '3',
    concurrencyKey: '',
    concurrencyLimit: '1',
    concurrencyStrategy: 'queue',
    timeout: '',
    retries: '0',
    backoff: '',
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
    precheckUrl: '',
    precheckMethod: 'GET',
    precheckCondition: '',
    precheckOnError: 'run',
    precheckTimeout: '',
    precheckKept: {},
    alertOnSkips: '',
  };
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

export function stateFrom(schedule: Schedule, duplicate: boolean): FormState {
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
    priority: text(schedule.priority ?? 3),
    concurrencyKey: schedule.concurrency?.key ?? '',
    concurrencyLimit: text(schedule.concurrency?.limit ?? 1),
    concurrencyStrategy: schedule.concurrency?.strategy ?? 'queue',
    timeout: text(schedule.timeout),
    retries: text(Math.max(0, (schedule.retry?.max_attempts ?? 1) - 1)),
    backoff: text(schedule.retry?.backoff?.initial_s),
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
    ...precheckState(schedule.precheck),
    alertOnSkips: text(schedule.alert_on_skips),
  };
}

function precheckState(
  stored: Schedule['precheck'],
): Pick<
  FormState,
  'precheckUrl' | 'precheckMethod' | 'precheckCondition' | 'precheckOnError' | 'precheckTimeout' | 'precheckKept'
> {
  const precheck = (stored ?? {}) as Partial<Precheck>;
  const { url, method, ...kept } = precheck.http ?? { url: '' };
  return {
    precheckUrl: url ?? '',
    precheckMethod: method === 'POST' ? 'POST' : 'GET',
    precheckCondition: precheck.condition ?? '',
    precheckOnError: precheck.on_error ?? 'run',
    precheckTimeout: text(precheck.timeout),
    precheckKept: kept,
  };
}

/** The precheck as the API takes it; null when there is no condition. */
export function precheckOf(form: FormState): Precheck | null {
  const condition = form.precheckCondition.trim();
  if (!condition) return null;
  const url = form.precheckUrl.trim();
  return {
    ...(url && { http: { ...form.precheckKept, url, method: form.precheckMethod } }),
    condition,
    on_error: form.precheckOnError,
    ...(form.precheckTimeout.trim() && { timeout: duration(form.precheckTimeout) }),
  };
}

/** The schedule part of the request for the current preset, or undefined when incomplete. */
export function specFor(form: FormState): ScheduleSpec | undefined {
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
export function seconds(value: string): number | null {
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
export function extrasOf(form: FormState): PreviewExtras {
  const dst: DstPolicy = {
    ...(form.dstRepeated && { repeated: form.dstRepeated }),
    ...(form.dstSkipped && { skipped: form.dstSkipped }),
  };
  return {
    dst: Object.keys(dst).length > 0 ? dst : null,
    exclude_dates: form.excludeDates.split(/[\s,]+/).filter((date) => date !== ''),
  };
}

export function requestBody(form: FormState, spec: ScheduleSpec | undefined): Record<string, unknown> {
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
    priority: integer(form.priority) ?? 3,
    concurrency: form.concurrencyKey.trim()
      ? {
          key: form.concurrencyKey.trim(),
          limit: integer(form.concurrencyLimit) ?? 1,
          strategy: form.concurrencyStrategy,
        }
      : null,
    // Left empty, timeout and backoff are not sent: the server fills its defaults (300 s, 1 s),
    // the same as for a schedule made with the API, the CLI or MCP.
    timeout: seconds(form.timeout) ?? undefined,
    retry: {
      max_attempts: retries + 1,
      ...(seconds(form.backoff) !== null && { backoff: { initial_s: seconds(form.backoff) } }),
    },
    misfire: form.misfire,
    catchup_window: duration(form.catchupWindow),
    jitter: duration(form.jitter),
    start_at: form.startAt ? (wallTimeToIso(form.startAt, form.timezone) ?? null) : null,
    end_at: form.endAt ? (wallTimeToIso(form.endAt, form.timezone) ?? null) : null,
    max_runs: integer(form.maxRuns),
    alert_after: integer(form.alertAfter) ?? 3,
    enabled: form.enabled,
    ...extrasOf(form),
    precheck: precheckOf(form),
    alert_on_skips: integer(form.alertOnSkips),
  };
}

export type FieldKey = keyof FormState | 'schedule';

/** The form field an API error names (`schedule.cron` → the schedule inputs). */
export function fieldOf(apiField: string | undefined): FieldKey | undefined {
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
    priority: 'priority',
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
  if (f.startsWith('concurrency'))
    return f === 'concurrency.limit'
      ? 'concurrencyLimit'
      : f === 'concurrency.strategy'
        ? 'concurrencyStrategy'
        : 'concurrencyKey';
  if (f.startsWith('dst')) return f === 'dst.skipped' ? 'dstSkipped' : 'dstRepeated';
  if (f.startsWith('exclude_dates')) return 'excludeDates';
  if (f.startsWith('precheck.http')) return 'precheckUrl';
  if (f.startsWith('precheck.timeout')) return 'precheckTimeout';
  if (f.startsWith('precheck')) return 'precheckCondition';
  if (f === 'alert_on_skips') return 'alertOnSkips';
  return table[head];
}
/** What every section of the form gets: the fields, a setter that clears the field's error, the errors. */
export interface SectionProps {
  form: FormState;
  set: <K extends keyof FormState>(key: K, value: FormState[K]) => void;
  errors: Partial<Record<FieldKey, string>>;
}
