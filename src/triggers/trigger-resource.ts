import { toDebounceResource, type DebounceResource } from './debounce-config.ts';
import { authProblem, triggerAuthSchema } from './trigger-auth.ts';
import type { DeliveryOutcome, DeliveryRow } from '../store/trigger-deliveries.ts';
import type { TriggerOverlap, TriggerRow } from '../store/triggers.ts';

/** A trigger as the API shows it: `auth` names environment variables, never their values. */
export interface TriggerResource {
  id: string;
  name: string;
  owner_id: string;
  assistant_id: string | null;
  workflow_id: string | null;
  /** Where senders POST deliveries: `/hooks/{id}` (absolute when KAIROS_PUBLIC_URL is set). */
  url: string;
  input_template: unknown;
  auth: Record<string, unknown>;
  delivery_header: string | null;
  overlap: TriggerOverlap;
  max_concurrent: number;
  /** At most `limit` runs per rendered key at once (docs/gates.md); null: none. */
  concurrency: { key: string; limit: number; strategy: 'queue' | 'skip' | 'cancel_oldest' } | null;
  /** 1 (first) to 5, default 3. */
  priority: number;
  /** Seconds; null: none. */
  timeout: number | null;
  rate_limit: { max: number; per_s: number } | null;
  /** Bursts of deliveries per key become one run (docs/triggers.md); null: every delivery runs. */
  debounce: DebounceResource | null;
  enabled: boolean;
  /** Whether deliveries can be accepted on this server: enabled, with its secret's variable set. */
  ready: boolean;
  /** Why it is not ready (e.g. the secret's variable is unset), for its owner; null when ready. */
  not_ready_reason: string | null;
  metadata: Record<string, unknown>;
  /** A check before each delivery's run (docs/gates.md); null: none. */
  precheck: Record<string, unknown> | null;
  /** Deliveries received so far, per outcome, and in all. */
  deliveries: Partial<Record<DeliveryOutcome, number>> & { total: number };
  last_delivery_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** One request to a trigger's URL, accepted or refused, with its reason and run. */
export interface DeliveryResource {
  id: string;
  trigger_id: string;
  received_at: string;
  outcome: DeliveryOutcome;
  http_status: number;
  reason: string | null;
  delivery_key: string | null;
  run_id: string | null;
  run_status: string | null;
  body_bytes: number;
}

function authProblemOf(auth: unknown, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const parsed = triggerAuthSchema.safeParse(auth);
  return parsed.success ? authProblem(parsed.data, env) : 'its auth cannot be read; save it again';
}

/** The path of a trigger's delivery URL. */
export const hookPath = (id: string) => `/hooks/${id}`;

export function toTriggerResource(
  row: TriggerRow,
  summary: { counts: Partial<Record<DeliveryOutcome, number>>; last: Date | null } | undefined,
  publicUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TriggerResource {
  const problem = row.enabled ? authProblemOf(row.auth, env) : 'the trigger is disabled';
  const counts = summary?.counts ?? {};
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  return {
    id: row.id,
    name: row.name,
    owner_id: row.owner_id,
    assistant_id: row.assistant_id,
    workflow_id: row.workflow_id,
    url: `${publicUrl ?? ''}${hookPath(row.id)}`,
    input_template: row.input_template,
    auth: row.auth,
    delivery_header: row.delivery_header,
    overlap: row.overlap,
    max_concurrent: row.max_concurrent,
    concurrency: row.concurrency ?? null,
    priority: row.priority ?? 3,
    timeout: row.timeout_ms === null ? null : row.timeout_ms / 1000,
    rate_limit:
      row.rate_limit_max !== null && row.rate_limit_ms !== null
        ? { max: row.rate_limit_max, per_s: row.rate_limit_ms / 1000 }
        : null,
    debounce: toDebounceResource(row),
    enabled: row.enabled,
    ready: problem === undefined,
    not_ready_reason: problem ?? null,
    metadata: row.metadata,
    precheck: row.precheck ?? null,
    deliveries: { ...counts, total },
    last_delivery_at: summary?.last?.toISOString() ?? null,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toDeliveryResource(row: DeliveryRow & { run_status?: string | null }): DeliveryResource {
  return {
    id: row.id,
    trigger_id: row.trigger_id,
    received_at: row.received_at.toISOString(),
    outcome: row.outcome,
    http_status: row.http_status,
    reason: row.reason,
    delivery_key: row.delivery_key,
    run_id: row.run_id,
    run_status: row.run_status ?? null,
    body_bytes: row.body_bytes,
  };
}
