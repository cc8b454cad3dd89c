import { api, type Query } from './client.ts';
import { readRunWindow, type Page } from './paging.ts';
import type {
  Assistant,
  Delivery,
  Provider,
  PrecheckTestRequest,
  PrecheckTestResult,
  Run,
  RunWithEvents,
  Schedule,
  ScheduleBackfillResult,
  SchedulePreview,
  ScheduleRates,
  ScheduleSpec,
  ScheduleStats,
  ScheduleUsage,
  TestCallResult,
  ThreadWithMessages,
  Trigger,
  User,
  Workflow,
} from '../../sdk/index.ts';

const v1 = '/api/v1';

/** The parts of a schedule besides its spec that change what a preview shows. */
export type PreviewExtras = Partial<Pick<Schedule, 'dst' | 'exclude_dates'>>;

/** Lists come as `{data,total,limit,offset}`; a bare array is accepted too. */
function page<T>(body: Page<T> | T[]): Page<T> {
  if (Array.isArray(body)) return { data: body, total: body.length, limit: body.length, offset: 0 };
  return body;
}

const id = (value: string) => encodeURIComponent(value);

export const schedulesApi = {
  list: async (query?: Query, signal?: AbortSignal) =>
    page(await api.get<Page<Schedule> | Schedule[]>(`${v1}/schedules`, { limit: 50, ...query }, signal)),
  get: (scheduleId: string) => api.get<Schedule>(`${v1}/schedules/${id(scheduleId)}`),
  create: (body: Record<string, unknown>) => api.post<Schedule>(`${v1}/schedules`, body),
  update: (scheduleId: string, body: Record<string, unknown>) =>
    api.patch<Schedule>(`${v1}/schedules/${id(scheduleId)}`, body),
  remove: (scheduleId: string) => api.delete<unknown>(`${v1}/schedules/${id(scheduleId)}`),
  /** Pauses; a non-empty `note` is shown on the schedule until it is resumed. */
  pause: (scheduleId: string, note?: string) =>
    api.post<Schedule>(`${v1}/schedules/${id(scheduleId)}/pause`, note ? { note } : {}),
  /** One run per occurrence in (from, to] with no run yet; `dry_run` only counts them (the preview). */
  backfill: (scheduleId: string, body: { from: string; to: string; dry_run?: boolean; overlap?: 'queue' | 'obey' }) =>
    api.post<ScheduleBackfillResult>(`${v1}/schedules/${id(scheduleId)}/backfill`, body),
  resume: (scheduleId: string) => api.post<Schedule>(`${v1}/schedules/${id(scheduleId)}/resume`),
  trigger: (scheduleId: string) => api.post<Run | { run?: Run }>(`${v1}/schedules/${id(scheduleId)}/trigger`),
  runs: async (scheduleId: string, query?: Query, signal?: AbortSignal) =>
    page(await api.get<Page<Run> | Run[]>(`${v1}/schedules/${id(scheduleId)}/runs`, query, signal)),
  /** The schedule's runs created in [`from`, `to`), paged through up to the cap in `paging.ts`. */
  runWindow: (scheduleId: string, from: Date, to: Date, signal?: AbortSignal) =>
    readRunWindow((query, s) => schedulesApi.runs(scheduleId, query, s), from, to, {}, signal),
  stats: (scheduleId: string, window = '24h') =>
    api.get<ScheduleStats>(`${v1}/schedules/${id(scheduleId)}/stats`, { window }),
  /** Runs by status and the success rate of many schedules (a page's rows) in one request. */
  rates: (scheduleIds: readonly string[], window = '24h', signal?: AbortSignal) =>
    api.get<ScheduleRates>(`${v1}/schedule-rates`, { ids: scheduleIds.join(','), window }, signal),
  usage: (scheduleId: string, days = 30) => api.get<ScheduleUsage>(`${v1}/schedules/${id(scheduleId)}/usage`, { days }),
  preview: (spec: ScheduleSpec, count = 5, extras: PreviewExtras = {}) =>
    api.post<SchedulePreview>(`${v1}/schedules/preview`, { ...spec, ...extras, count }),
  /** "Test now": runs a precheck once and shows its response and verdict; stores nothing. */
  testPrecheck: (body: PrecheckTestRequest) => api.post<PrecheckTestResult>(`${v1}/prechecks/test`, body),
};

export const runsApi = {
  list: async (query?: Query, signal?: AbortSignal) =>
    page(await api.get<Page<Run> | Run[]>(`${v1}/runs`, query, signal)),
  /** Runs created in [`from`, `to`), paged through up to the cap in `paging.ts`. */
  window: (from: Date, to: Date, query?: Query, signal?: AbortSignal) =>
    readRunWindow((q, s) => runsApi.list(q, s), from, to, query, signal),
  get: (runId: string, signal?: AbortSignal) => api.get<RunWithEvents>(`${v1}/runs/${id(runId)}`, undefined, signal),
  create: (body: Record<string, unknown>) => api.post<Run>(`${v1}/runs`, body),
  cancel: (runId: string) => api.post<Run>(`${v1}/runs/${id(runId)}/cancel`),
};

export const assistantsApi = {
  list: async (query?: Query) =>
    page(await api.get<Page<Assistant> | Assistant[]>(`${v1}/assistants`, { limit: 500, ...query })),
  get: (assistantId: string) => api.get<Assistant>(`${v1}/assistants/${id(assistantId)}`),
  create: (body: Record<string, unknown>) => api.post<Assistant>(`${v1}/assistants`, body),
  update: (assistantId: string, body: Record<string, unknown>) =>
    api.patch<Assistant>(`${v1}/assistants/${id(assistantId)}`, body),
  remove: (assistantId: string) => api.delete<unknown>(`${v1}/assistants/${id(assistantId)}`),
  /** Runs an unsaved {kind, config} once and shows the raw exchange; nothing is stored. */
  testCall: (body: { kind: string; config: Record<string, unknown>; input?: unknown }) =>
    api.post<TestCallResult>(`${v1}/assistants/test`, body),
};

export const workflowsApi = {
  list: async (query?: Query) =>
    page(await api.get<Page<Workflow> | Workflow[]>(`${v1}/workflows`, { limit: 500, ...query })),
  get: (workflowId: string) => api.get<Workflow>(`${v1}/workflows/${id(workflowId)}`),
  runs: async (workflowId: string, query?: Query, signal?: AbortSignal) =>
    page(await api.get<Page<Run> | Run[]>(`${v1}/workflows/${id(workflowId)}/runs`, query, signal)),
  /** Run now: 202 with a pending run (`trigger: "api"`). */
  run: (workflowId: string, body: Record<string, unknown>) =>
    api.post<Run>(`${v1}/workflows/${id(workflowId)}/runs`, body),
};

export const providersApi = {
  list: async (query?: Query, signal?: AbortSignal) =>
    page(await api.get<Page<Provider>>(`${v1}/providers`, { limit: 50, ...query }, signal)),
};

export const triggersApi = {
  create: (body: Record<string, unknown>) => api.post<Trigger>(`${v1}/triggers`, body),
  remove: (triggerId: string) => api.delete<unknown>(`${v1}/triggers/${id(triggerId)}`),
  list: async (query?: Query, signal?: AbortSignal) =>
    page(await api.get<Page<Trigger>>(`${v1}/triggers`, { limit: 20, ...query }, signal)),
  update: (triggerId: string, body: Record<string, unknown>) =>
    api.patch<Trigger>(`${v1}/triggers/${id(triggerId)}`, body),
  deliveries: async (triggerId: string, limit = 5, signal?: AbortSignal) =>
    page(await api.get<Page<Delivery>>(`${v1}/triggers/${id(triggerId)}/deliveries`, { limit }, signal)),
};

export const threadsApi = {
  get: (threadId: string) => api.get<ThreadWithMessages>(`${v1}/threads/${id(threadId)}`),
};

export const usersApi = {
  me: () => api.get<User>(`${v1}/users/me`),
};

/** The run a trigger answered with, whatever its envelope. */
export function triggeredRun(body: Run | { run?: Run }): Run | undefined {
  if ('status' in body && 'id' in body) return body as Run;
  return (body as { run?: Run }).run;
}
