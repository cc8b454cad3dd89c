/** The filters and bodies the SDK's methods take, beside the API's own schemas. */

/**
 * A workflow definition as `POST /api/v1/workflows` takes it: `{name, description?, steps, metadata?}`
 * plus an optional `status`. Nodes are checked by the server (see docs/workflows.md), which lists every
 * problem with its path in a 422 `invalid_workflow`.
 */
export type WorkflowCreate = {
  name: string;
  description?: string;
  steps: Record<string, unknown>[];
  metadata?: Record<string, unknown>;
  status?: 'active' | 'inactive';
};

/** A partial workflow change: any of name, description, steps, metadata, status (version + 1). */
export type WorkflowUpdate = Partial<WorkflowCreate>;

/** Filters of `workflows.list`. */
export interface WorkflowListFilters extends PageParams {
  /** Case-insensitive part of the name. */
  name?: string;
  /** Case-insensitive part of the name or the description. */
  search?: string;
  status?: 'active' | 'inactive';
  source?: 'api' | 'config';
  /** Admins: one user's workflows. */
  owner_id?: string;
}

/** List filters: paging plus the route's query parameters (see the OpenAPI document). */
export interface Filters extends PageParams {
  [name: string]: string | number | boolean | undefined;
}

/** Filters of `schedules.list`. */
export interface ScheduleListFilters extends MetadataFilters {
  /** `active`, `paused` or `completed`. */
  status?: string;
  enabled?: boolean;
  name?: string;
  cursor?: string;
  /** Part of the name or of the cron expression, case-insensitive. */
  q?: string;
  /** Only schedules whose consecutive failures reached their alert_after. */
  failing?: boolean;
  /** Only these schedules: ids separated by commas (at most 200). */
  ids?: string;
  /** A column, `-` first for descending: `name`, `next_run_at`, `last_run_at`, `created_at`, `consecutive_failures`. */
  sort?: string;
}

/** Time-range filters of run lists: `from` (inclusive) and `to` (exclusive) bound `created_at`. */
export interface RunListFilters extends Filters {
  from?: string;
  to?: string;
}

/** Filters of lists that match metadata: `metadata` is an object, sent as JSON in the query. */
export interface MetadataFilters extends PageParams {
  metadata?: Record<string, unknown>;
  [name: string]: string | number | boolean | Record<string, unknown> | undefined;
}

export function withMetadata(filters: MetadataFilters): Query {
  return Object.fromEntries(
    Object.entries(filters).map(([name, value]) => [name, typeof value === 'object' ? JSON.stringify(value) : value]),
  );
}

export interface PageParams {
  limit?: number;
  offset?: number;
}

export type Query = Record<string, string | number | boolean | undefined>;
