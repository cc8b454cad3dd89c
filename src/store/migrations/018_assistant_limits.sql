-- Provider limits per assistant (docs/assistants.md), applied by the worker's claim across replicas:
-- at most `max_concurrent` of its runs running at once, and at most `rate_limit` runs started in
-- any 60 seconds (a sliding window over runs.started_at). Null: no limit.
ALTER TABLE assistants
  ADD COLUMN max_concurrent integer CHECK (max_concurrent >= 1),
  ADD COLUMN rate_limit integer CHECK (rate_limit >= 1);

-- The claim counts an assistant's running runs and ranks its due pending runs.
CREATE INDEX runs_assistant_active_idx ON runs (assistant_id, not_before) WHERE status IN ('pending', 'running');
-- The claim counts an assistant's runs started in the last minute.
CREATE INDEX runs_assistant_started_idx ON runs (assistant_id, started_at) WHERE started_at IS NOT NULL;
-- The claim reads the limited assistants on every pass: usually none, so this stays tiny.
CREATE INDEX assistants_limited_idx ON assistants (id) WHERE max_concurrent IS NOT NULL OR rate_limit IS NOT NULL;

-- Retention (prune-runs.ts) deletes runs: each delete checks the foreign keys that point at runs.
-- Without these two, every deleted run scanned all of runs (retry_of) and trigger_deliveries
-- (measured by bench:scaling: 48 runs/s pruned at 20,000 runs of history). Both are partial and
-- almost always empty, so runs do not pay for them as they are written.
CREATE INDEX runs_retry_of_idx ON runs (retry_of) WHERE retry_of IS NOT NULL;
CREATE INDEX trigger_deliveries_run_idx ON trigger_deliveries (run_id) WHERE run_id IS NOT NULL;
