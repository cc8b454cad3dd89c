-- The engine (issue 3): what firing and running need beyond 001.

-- Schedules: scheduled occurrences fired (max_runs counts these; run_count is the run_number
-- high-water mark and also counts manual triggers), the latest materialised occurrence (so that an
-- update never recomputes an occurrence that already has a run), and the exponential backoff.
ALTER TABLE schedules
  ADD COLUMN occurrence_count     integer NOT NULL DEFAULT 0,
  ADD COLUMN last_scheduled_for   timestamptz,
  ADD COLUMN retry_backoff_factor double precision NOT NULL DEFAULT 2 CHECK (retry_backoff_factor >= 1),
  ADD COLUMN retry_backoff_max_ms integer NOT NULL DEFAULT 300000 CHECK (retry_backoff_max_ms >= 0);

-- Runs carry their own execution rules (copied from the schedule when created), so that a run
-- behaves as it was created even if the schedule changes or disappears meanwhile.
ALTER TABLE runs
  ADD COLUMN timeout_ms           integer CHECK (timeout_ms > 0),
  ADD COLUMN retry_backoff_ms     integer NOT NULL DEFAULT 1000,
  ADD COLUMN retry_backoff_factor double precision NOT NULL DEFAULT 2,
  ADD COLUMN retry_backoff_max_ms integer NOT NULL DEFAULT 300000,
  -- A manual trigger that overrides the overlap policy.
  ADD COLUMN ignore_overlap       boolean NOT NULL DEFAULT false;

-- Overlap decisions count a schedule's pending and running runs.
CREATE INDEX runs_schedule_active_idx ON runs (schedule_id, not_before) WHERE status IN ('pending', 'running');
-- The capacity sweep finds pending runs past their start deadline.
CREATE INDEX runs_start_deadline_idx ON runs (start_deadline) WHERE status = 'pending';
CREATE INDEX schedules_owner_idx ON schedules (owner_id, created_at DESC);
