import type { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList } from '../api/schemas/keys.ts';
import type { User, UserCreate, UserList, UserUpdate } from '../api/schemas/users.ts';
import { KairosApiError } from './errors.ts';
import { operations, type OperationName } from './operations.ts';

export type { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList, User, UserCreate, UserList, UserUpdate };

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

export interface PageParams {
  limit?: number;
  offset?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
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

  /** Calls one operation of the table; resolves to the parsed JSON answer (undefined for 204). */
  protected async call<T>(name: OperationName, options: RequestOptions = {}): Promise<T> {
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
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: operation.method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new KairosApiError(0, 'network_error', `cannot reach Kairos at ${this.baseUrl}: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
      throw new KairosApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : `http_${response.status}`,
        typeof error?.message === 'string' ? error.message : `${operation.method} ${path} answered ${response.status}`,
        error?.details,
      );
    }
    return parsed as T;
  }
}
