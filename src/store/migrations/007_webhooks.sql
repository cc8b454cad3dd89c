-- Webhook delivery (issue 5): a finished run of a schedule with a `webhook` is POSTed there,
-- retried with backoff until delivered (at least once) or out of attempts.
ALTER TABLE runs
  ADD COLUMN webhook_delivered_at timestamptz,
  ADD COLUMN webhook_attempts     integer NOT NULL DEFAULT 0,
  -- Not before this instant: the next retry, or the lease of a delivery in flight.
  ADD COLUMN webhook_next_at      timestamptz;

-- Runs that finished before this migration are not delivered.
UPDATE runs r SET webhook_delivered_at = r.finished_at
FROM schedules s
WHERE s.id = r.schedule_id AND s.webhook IS NOT NULL AND r.finished_at IS NOT NULL;

-- Undelivered finished runs, looked up per schedule that has a webhook.
CREATE INDEX runs_webhook_pending_idx ON runs (schedule_id, finished_at)
  WHERE webhook_delivered_at IS NULL AND finished_at IS NOT NULL;
CREATE INDEX schedules_webhook_idx ON schedules (id) WHERE webhook IS NOT NULL;
