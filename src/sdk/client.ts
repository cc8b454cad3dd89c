import type { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList } from '../api/schemas/keys.ts';
import type { Assistant, AssistantCreate, AssistantList, AssistantUpdate } from '../api/schemas/assistants.ts';
import type { Provider, ProviderCreate, ProviderList, ProviderUpdate } from '../api/schemas/providers.ts';
import type { TestCallDraft, TestCallResult, TestCallSaved } from '../api/schemas/assistant-test-calls.ts';
import type { Run, RunCreate, RunList, RunReplay, RunWithEvents } from '../api/schemas/runs.ts';
import type { PrecheckTestRequest, PrecheckTestResult } from '../api/schemas/prechecks.ts';
import type {
  Schedule,
  ScheduleBackfill,
  ScheduleBackfillResult,
  ScheduleCreate,
  ScheduleEnsureResult,
  ScheduleEventList,
  ScheduleList,
  SchedulePause,
  SchedulePreview,
  SchedulePreviewRequest,
  ScheduleRates,
  ScheduleStats,
  ScheduleTrigger,
  ScheduleUpdate,
} from '../api/schemas/schedules.ts';
import type {
  Message,
  MessageList,
  MessagesAppend,
  Thread,
  ThreadCreate,
  ThreadDeleted,
  ThreadList,
  ThreadUpdate,
  ThreadWithMessages,
} from '../api/schemas/threads.ts';
import type { FunctionToolList } from '../api/schemas/tools.ts';
import type {
  Delivery,
  DeliveryList,
  Trigger,
  TriggerCreate,
  TriggerList,
  TriggerUpdate,
} from '../api/schemas/triggers.ts';
import type { SqlAnswer, SqlQuery } from '../api/schemas/sql.ts';
import type { ScheduleUsage } from '../api/schemas/usage.ts';
import type { Workflow, WorkflowList, WorkflowRunCreate, WorkflowValid } from '../api/schemas/workflows.ts';
import type { User, UserCreate, UserList, UserUpdate } from '../api/schemas/users.ts';
import type { Approval, ApprovalList, Decision, EventAccepted, EventSend } from '../api/schemas/waits.ts';
import { KairosApiError } from './errors.ts';
import { operations, type OperationName } from './operations.ts';
import { runStreamEvents, type RunStreamEvent } from './run-stream.ts';
import {
  withMetadata,
  type MetadataFilters,
  type PageParams,
  type Query,
  type RunListFilters,
  type ScheduleListFilters,
  type WorkflowCreate,
  type WorkflowListFilters,
  type WorkflowUpdate,
} from './filters.ts';

export type { Filters, MetadataFilters, PageParams, RunListFilters, ScheduleListFilters } from './filters.ts';

export type {
  Approval,
  ApprovalList,
  Decision,
  EventAccepted,
  EventSend,
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeyList,
  Assistant,
  AssistantCreate,
  AssistantList,
  AssistantUpdate,
  Provider,
  ProviderCreate,
  ProviderList,
  ProviderUpdate,
  Delivery,
  DeliveryList,
  Message,
  MessageList,
  MessagesAppend,
  Run,
  RunCreate,
  RunList,
  RunReplay,
  RunWithEvents,
  Schedule,
  ScheduleBackfill,
  ScheduleBackfillResult,
  ScheduleCreate,
  ScheduleEnsureResult,
  ScheduleEventList,
  ScheduleList,
  SchedulePause,
  SchedulePreview,
  SchedulePreviewRequest,
  ScheduleRates,
  ScheduleStats,
  ScheduleTrigger,
  ScheduleUpdate,
  ScheduleUsage,
  SqlAnswer,
  SqlQuery,
  Thread,
  ThreadCreate,
  ThreadDeleted,
  ThreadList,
  ThreadUpdate,
  ThreadWithMessages,
  FunctionToolList,
  Trigger,
  TriggerCreate,
  TriggerList,
  TriggerUpdate,
  User,
  UserCreate,
  UserList,
  UserUpdate,
  Workflow,
  WorkflowCreate,
  WorkflowList,
  WorkflowListFilters,
  WorkflowRunCreate,
  WorkflowUpdate,
  WorkflowValid,
};

export interface KairosOptions {
  /** Where the server is, e.g. `http://127.0.0.1:7700` (default: `KAIROS_URL` or that address). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …` (default: `KAIROS_API_KEY`; none in local mode). */
  apiKey?: string;
  /** A fetch implementation (tests pass `app.request`-backed ones). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

interface RequestOptions {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  /** What to accept (JSON unless given) and extra headers (e.g. `last-event-id`). */
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A typed client for the Kairos native API. Errors throw `KairosApiError` carrying the API's code.
 *
 * @example
 * const kairos = new Kairos({ baseUrl: 'http://127.0.0.1:7700', apiKey: process.env.KAIROS_API_KEY });
 * const me = await kairos.users.me();
 * const { key } = await kairos.keys.create({ name: 'ci' });
 */
export class Kairos {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly headers: Record<string, string>;

  constructor(options: KairosOptions = {}) {
    this.baseUrl = (options.baseUrl ?? process.env.KAIROS_URL ?? 'http://127.0.0.1:7700').replace(/\/+$/, '');
    this.apiKey = options.apiKey ?? (process.env.KAIROS_API_KEY || undefined);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.headers = options.headers ?? {};
  }

  readonly users = {
    list: (page: PageParams = {}) => this.call<UserList>('users.list', { query: { ...page } }),
    create: (body: UserCreate) => this.call<User>('users.create', { body }),
    me: () => this.call<User>('users.me'),
    get: (id: string) => this.call<User>('users.get', { params: { id } }),
    update: (id: string, body: UserUpdate) => this.call<User>('users.update', { params: { id }, body }),
  };

  readonly keys = {
    /** Creates a key; `key` in the answer is the only time the secret is shown. */
    create: (body: ApiKeyCreate = {}) => this.call<ApiKeyCreated>('keys.create', { body }),
    list: (query: PageParams & { user_id?: string; include_revoked?: boolean } = {}) =>
      this.call<ApiKeyList>('keys.list', { query: { ...query } }),
    get: (id: string) => this.call<ApiKey>('keys.get', { params: { id } }),
    revoke: (id: string) => this.call<ApiKey>('keys.revoke', { params: { id } }),
  };

  /** Model providers: a base URL, a key reference and limits shared by every assistant that names one (docs/gates.md). */
  readonly providers = {
    create: (body: ProviderCreate) => this.call<Provider>('providers.create', { body }),
    list: (filters: PageParams = {}) => this.call<ProviderList>('providers.list', { query: { ...filters } }),
    get: (id: string) => this.call<Provider>('providers.get', { params: { id } }),
    update: (id: string, body: ProviderUpdate) => this.call<Provider>('providers.update', { params: { id }, body }),
    /** Deletes a provider; 409 `provider_in_use` while assistants name it. */
    delete: (id: string) => this.call<void>('providers.delete', { params: { id } }),
  };

  readonly assistants = {
    create: (body: AssistantCreate) => this.call<Assistant>('assistants.create', { body }),
    list: (filters: MetadataFilters = {}) =>
      this.call<AssistantList>('assistants.list', { query: withMetadata(filters) }),
    get: (id: string) => this.call<Assistant>('assistants.get', { params: { id } }),
    update: (id: string, body: AssistantUpdate) => this.call<Assistant>('assistants.update', { params: { id }, body }),
    /**
     * Deletes an assistant; 409 `assistant_in_use` while schedules, triggers or workflows use it.
     * `{ force: true }` deletes its schedules and triggers with it (a workflow that calls it still refuses).
     */
    delete: (id: string, options: { force?: boolean } = {}) =>
      this.call<void>('assistants.delete', { params: { id }, query: options.force ? { force: true } : {} }),
    /** Runs one of your assistants once (no run, no schedule) and returns the raw requests and answers, secrets redacted. */
    test: (id: string, body: TestCallSaved = {}) =>
      this.call<TestCallResult>('assistants.test', { params: { id }, body }),
    /** Runs an unsaved `{kind, config}` once, after the checks of saving it; nothing is stored. */
    testDraft: (body: TestCallDraft) => this.call<TestCallResult>('assistants.testDraft', { body }),
  };

  readonly threads = {
    create: (body: ThreadCreate = {}) => this.call<Thread>('threads.create', { body }),
    list: (filters: MetadataFilters = {}) => this.call<ThreadList>('threads.list', { query: withMetadata(filters) }),
    /** The thread with its latest messages. */
    get: (id: string, options: { message_limit?: number } = {}) =>
      this.call<ThreadWithMessages>('threads.get', { params: { id }, query: { ...options } }),
    update: (id: string, body: ThreadUpdate) => this.call<Thread>('threads.update', { params: { id }, body }),
    delete: (id: string) => this.call<ThreadDeleted>('threads.delete', { params: { id } }),
    messages: (id: string, page: { after_seq?: number; limit?: number } = {}) =>
      this.call<MessageList>('threads.messages', { params: { id }, query: { ...page } }),
    appendMessages: (id: string, messages: MessagesAppend) =>
      this.call<MessageList>('threads.appendMessages', { params: { id }, body: messages }),
  };

  readonly runs = {
    /** Starts a run now; with `wait`, answers once it finished (or `wait_timeout_ms` passed). */
    create: (body: RunCreate, options: { wait?: boolean; wait_timeout_ms?: number } = {}) =>
      this.call<Run>('runs.create', { body, query: { ...options } }),
    list: (filters: RunListFilters = {}) => this.call<RunList>('runs.list', { query: filters }),
    /** The run with its events. */
    get: (id: string) => this.call<RunWithEvents>('runs.get', { params: { id } }),
    cancel: (id: string) => this.call<Run>('runs.cancel', { params: { id } }),
    /**
     * Replays a run (202): a new run (`replay_of`) of the same workflow version reusing the
     * recorded outputs of the nodes before `from_step`; without it, or for an assistant run, all runs again.
     */
    replay: (id: string, body: RunReplay = {}) => this.call<Run>('runs.replay', { params: { id }, body }),
    /** Decides the approval the run waits for (409 `already_decided` / `not_waiting`; docs/waits.md). */
    decide: (id: string, decision: Decision) => this.call<Run>('runs.decide', { params: { id }, body: decision }),
    /**
     * The run's events as they happen, from its first (or after `lastEventId`, a `seq`), ending
     * after `end`: `for await (const event of kairos.runs.stream(id)) …`.
     */
    stream: (id: string, options: { lastEventId?: number; signal?: AbortSignal } = {}) => this.streamRun(id, options),
  };

  /** Approvals the caller may decide, oldest first (`status`: pending, the default, or decided). */
  readonly approvals = {
    list: (filters: PageParams & { status?: 'pending' | 'decided' } = {}) =>
      this.call<ApprovalList>('approvals.list', { query: { ...filters } }),
  };

  /** Events wake the runs waiting for them (docs/waits.md). */
  readonly events = {
    /** Sends an event; answers with the runs it woke now (it is kept for later waits' lookback). */
    send: (event: EventSend) => this.call<EventAccepted>('events.send', { body: event }),
  };

  readonly schedules = {
    create: (body: ScheduleCreate) => this.call<Schedule>('schedules.create', { body }),
    /**
     * Creates the schedule `body.name`, or reconciles the existing one (idempotent: safe to call at
     * every start). `if_exists`: `raise` (default: refuse a name taken by a schedule that no ensure
     * created, `schedule_exists`), `update` (make it match), `skip` (leave it alone). `result` says
     * which of created / updated / unchanged / skipped happened.
     *
     * @example
     * const { result, schedule } = await kairos.schedules.ensure(
     *   { name: 'nightly-cleanup', assistant_id: 'cleanup', schedule: { cron: '0 3 * * *' } },
     *   { if_exists: 'update' },
     * );
     */
    ensure: (body: ScheduleCreate & { name: string }, options: { if_exists?: 'update' | 'skip' | 'raise' } = {}) =>
      this.call<ScheduleEnsureResult>('schedules.ensure', { params: { name: body.name }, query: { ...options }, body }),
    /**
     * Newest first; filters `status`, `enabled`, `name` (contains), `metadata` (object), `assistant_id`,
     * `thread_id`; page with `offset` or with `cursor` (the previous page's `next_cursor`).
     */
    list: (filters: ScheduleListFilters = {}) =>
      this.call<ScheduleList>('schedules.list', { query: withMetadata(filters) }),
    /** Next fire times and the description, without saving anything. */
    preview: (body: SchedulePreviewRequest | Record<string, unknown>) =>
      this.call<SchedulePreview>('schedules.preview', { body }),
    get: (id: string) => this.call<Schedule>('schedules.get', { params: { id } }),
    update: (id: string, body: ScheduleUpdate) => this.call<Schedule>('schedules.update', { params: { id }, body }),
    delete: (id: string) => this.call<void>('schedules.delete', { params: { id } }),
    /** Stops firing; `note` is shown on the schedule (`paused.note`, with who and when) until it is resumed. */
    pause: (id: string, body: SchedulePause = {}) => this.call<Schedule>('schedules.pause', { params: { id }, body }),
    resume: (id: string) => this.call<Schedule>('schedules.resume', { params: { id } }),
    trigger: (id: string, body: ScheduleTrigger = {}) => this.call<Run>('schedules.trigger', { params: { id }, body }),
    /**
     * One run per occurrence in `(from, to]` that has no run yet (`trigger: "backfill"`, oldest
     * first, at most 1,000: a `backfill_too_large` error says where to split). `dry_run: true`
     * only counts. Running it twice creates nothing new.
     *
     * @example
     * const preview = await kairos.schedules.backfill(id, { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z', dry_run: true });
     * preview.runs // how many it would create
     */
    backfill: (id: string, body: ScheduleBackfill) =>
      this.call<ScheduleBackfillResult>('schedules.backfill', { params: { id }, body }),
    runs: (id: string, filters: RunListFilters = {}) =>
      this.call<RunList>('schedules.runs', { params: { id }, query: filters }),
    /** `window` as seconds or text: `"24h"`, `"7d"`, `"PT24H"`. */
    stats: (id: string, options: { window?: string } = {}) =>
      this.call<ScheduleStats>('schedules.stats', { params: { id }, query: { ...options } }),
    /** Runs by status and the success rate of many schedules (at most 200) over `window`, in one request. */
    rates: (ids: readonly string[], options: { window?: string } = {}) =>
      this.call<ScheduleRates>('schedules.rates', { query: { ids: ids.join(','), ...options } }),
    events: (id: string) => this.call<ScheduleEventList>('schedules.events', { params: { id } }),
    /**
     * Runs a precheck (a schedule's or a trigger's) once now and shows its response and verdict;
     * nothing is stored (docs/gates.md).
     *
     * @example
     * const { verdict, response } = await kairos.schedules.testPrecheck({ precheck: { http: { url }, condition: 'response.body.count > 0' } });
     */
    testPrecheck: (body: PrecheckTestRequest) => this.call<PrecheckTestResult>('schedules.testPrecheck', { body }),
    /** A saved schedule's next fire times, the occurrences its excluded dates skip and its next DST change. */
    previewSaved: (id: string, options: { count?: number } = {}) =>
      this.call<SchedulePreview>('schedules.previewSaved', { params: { id }, query: { ...options } }),
    /** Tokens per day in the schedule's zone, and money when the server has a price table. */
    usage: (id: string, options: { days?: number } = {}) =>
      this.call<ScheduleUsage>('schedules.usage', { params: { id }, query: { ...options } }),
  };

  readonly workflows = {
    /** Saves a workflow (version 1) after validating it; a 422 `invalid_workflow` lists every problem. */
    create: (body: WorkflowCreate) => this.call<Workflow>('workflows.create', { body }),
    /** Checks a definition without saving it: `{valid: true}`, or throws the 422 with `details.errors`. */
    validate: (body: WorkflowCreate | Record<string, unknown>) =>
      this.call<WorkflowValid>('workflows.validate', { body }),
    list: (filters: WorkflowListFilters = {}) => this.call<WorkflowList>('workflows.list', { query: { ...filters } }),
    get: (id: string) => this.call<Workflow>('workflows.get', { params: { id } }),
    update: (id: string, body: WorkflowUpdate) => this.call<Workflow>('workflows.update', { params: { id }, body }),
    delete: (id: string) => this.call<void>('workflows.delete', { params: { id } }),
    /** Runs the workflow now: a pending durable run (202); follow it with `runs.get` (its `steps` tree). */
    run: (id: string, body: WorkflowRunCreate = {}) => this.call<Run>('workflows.run', { params: { id }, body }),
    /** The workflow's runs, newest first. */
    runs: (id: string, filters: PageParams & { status?: string } = {}) =>
      this.call<RunList>('workflows.runs', { params: { id }, query: { ...filters } }),
  };

  readonly sql = {
    /** One read-only query (admins): `{columns, rows, row_count, truncated}`; see docs/data-model.md. */
    query: (query: string, options: { timeout_ms?: number; max_rows?: number } = {}) =>
      this.call<SqlAnswer>('sql.query', { body: { query, ...options } }),
  };

  /** The scheduler tools (docs/agents-tools.md), acting as this client's key. */
  readonly tools = {
    /** The tools in OpenAI's shape: pass `tools` to a chat-completions request as it is. */
    list: () => this.call<FunctionToolList>('tools.list'),
    /** Executes one tool; a refusal throws KairosApiError whose code and details are the tool's error result. */
    call: <T = unknown>(name: string, args: Record<string, unknown> = {}) =>
      this.call<T>('tools.call', { params: { name }, body: args }),
  };

  /** Inbound triggers: each has a URL (`/hooks/{id}`) whose signed deliveries become `event` runs. */
  readonly triggers = {
    create: (body: TriggerCreate) => this.call<Trigger>('triggers.create', { body }),
    list: (
      filters: PageParams & { assistant_id?: string; workflow_id?: string; owner_id?: string; enabled?: boolean } = {},
    ) => this.call<TriggerList>('triggers.list', { query: { ...filters } }),
    get: (id: string) => this.call<Trigger>('triggers.get', { params: { id } }),
    update: (id: string, body: TriggerUpdate) => this.call<Trigger>('triggers.update', { params: { id }, body }),
    delete: (id: string) => this.call<void>('triggers.delete', { params: { id } }),
    /** Deliveries newest first, accepted and refused, with the reason and the run; filter by `outcome`. */
    deliveries: (id: string, filters: PageParams & { outcome?: Delivery['outcome'] } = {}) =>
      this.call<DeliveryList>('triggers.deliveries', { params: { id }, query: { ...filters } }),
  };

  private async *streamRun(
    id: string,
    options: { lastEventId?: number; signal?: AbortSignal },
  ): AsyncGenerator<RunStreamEvent> {
    const response = await this.send('runs.stream', {
      params: { id },
      accept: 'text/event-stream',
      ...(options.lastEventId !== undefined && { headers: { 'last-event-id': String(options.lastEventId) } }),
      ...(options.signal && { signal: options.signal }),
    });
    if (response.body) yield* runStreamEvents(response.body);
  }

  /** Calls one operation of the table; resolves to the parsed JSON answer (undefined for 204). */
  protected async call<T>(name: OperationName, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(name, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      return undefined as T;
    }
  }

  /** Sends one operation of the table; resolves to the response, or throws KairosApiError when it is not ok. */
  private async send(name: OperationName, options: RequestOptions): Promise<Response> {
    const operation = operations[name];
    const path = operation.path.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = options.params?.[key];
      if (value === undefined) throw new TypeError(`${name}: missing path parameter ${key}`);
      return encodeURIComponent(value);
    });
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json',
      ...this.headers,
      ...options.headers,
    };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: operation.method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        ...(options.signal && { signal: options.signal }),
      });
    } catch (error) {
      throw new KairosApiError(
        0,
        'network_error',
        `cannot reach Kairos at ${this.baseUrl}: ${(error as Error).message}`,
        undefined,
        {
          cause: error,
        },
      );
    }
    if (response.ok) return response;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    throw new KairosApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : `${operation.method} ${path} answered ${response.status}`,
      error?.details,
    );
  }
}
