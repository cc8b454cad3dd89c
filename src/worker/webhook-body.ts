import { langGraphMetadata, langGraphStatus, langGraphValues } from '../runs/langgraph-run.ts';
import type { ClaimedWebhook } from '../store/run-webhooks.ts';
import { toRunResource } from '../runs/run-resource.ts';

/**
 * The body POSTed to a schedule's webhook when one of its runs finishes: the native run resource,
 * or, for a cron made through the LangGraph routes, the body a LangGraph receiver reads
 * (`run_id`, `thread_id`, `assistant_id`, `status`, `values`, `metadata`, `run_started_at`,
 * `run_ended_at`, and `error` when it failed).
 */
export function webhookBody(delivery: ClaimedWebhook, sentAt: Date): unknown {
  const { webhook_url: _url, webhook_attempts: _attempts, webhook_body: format, ...row } = delivery;
  if (format !== 'langgraph') return toRunResource(row);
  const status = langGraphStatus(row.status);
  const values = langGraphValues(row);
  const failed = '__error__' in values;
  return {
    run_id: row.id,
    thread_id: row.thread_id,
    assistant_id: row.assistant_id,
    status,
    metadata: langGraphMetadata(row.metadata),
    kwargs: { input: row.input },
    multitask_strategy: null,
    created_at: row.created_at.toISOString(),
    updated_at: (row.finished_at ?? row.created_at).toISOString(),
    run_started_at: row.started_at?.toISOString() ?? null,
    run_ended_at: row.finished_at?.toISOString() ?? null,
    webhook_sent_at: sentAt.toISOString(),
    values: failed ? {} : values,
    ...(failed && { error: row.error ?? row.error_kind ?? row.status }),
  };
}
