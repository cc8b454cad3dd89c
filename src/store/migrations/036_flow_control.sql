-- Flow control per key and priority (issue 21). A run carries its priority (1 first, default 3)
-- and, when its schedule, trigger or workflow has `concurrency`, the key it rendered at creation
-- with the limit and strategy of that group: the claim decides over these columns alone.
ALTER TABLE runs
  ADD COLUMN priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
  -- `schedule:<id>`, `trigger:<id>` or `workflow:<id>`: keys of different groups never meet.
  ADD COLUMN concurrency_scope text,
  ADD COLUMN concurrency_key text,
  ADD COLUMN concurrency_limit integer CHECK (concurrency_limit >= 1),
  ADD COLUMN concurrency_strategy text CHECK (concurrency_strategy IN ('queue', 'skip', 'cancel_oldest'));
ALTER TABLE schedules
  ADD COLUMN concurrency jsonb,
  ADD COLUMN priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5);
ALTER TABLE triggers
  ADD COLUMN concurrency jsonb,
  ADD COLUMN priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5);
-- The claim's order among due runs: priority, then due time (an index scan, as before).
CREATE INDEX runs_runnable_priority_idx ON runs (priority, not_before, created_at) WHERE status = 'pending';
-- The live runs of one key (its running count under the key's lock, and the FIFO head of its queue).
CREATE INDEX runs_concurrency_idx ON runs (concurrency_scope, concurrency_key, not_before, created_at)
  WHERE status IN ('pending', 'running') AND concurrency_key IS NOT NULL;
