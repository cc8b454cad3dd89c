-- Runs that wait (issue 20): the `waiting` status, what a run waits for, the waits themselves and the
-- events kept for lookback. A waiting run holds no lease and no slot: its wake-up is a `waits` row
-- (a decision, a matching event, or its due time `until`, claimed by any replica exactly once).
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('pending', 'running', 'waiting', 'success', 'error', 'timeout', 'cancelled', 'skipped'));
-- `{kind, node, since, until, prompt, event}` while the run waits; null otherwise.
ALTER TABLE runs ADD COLUMN waiting_for jsonb;
CREATE INDEX runs_waiting_idx ON runs (schedule_id) WHERE status = 'waiting';

ALTER TABLE run_steps DROP CONSTRAINT run_steps_type_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_type_check
  CHECK (type IN ('step', 'parallel', 'loop', 'router', 'condition', 'wait'));
ALTER TABLE run_steps DROP CONSTRAINT run_steps_status_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_status_check
  CHECK (status IN ('running', 'waiting', 'success', 'error', 'skipped', 'cancelled'));

-- By default a waiting run does not count toward max_concurrent or the overlap policy.
ALTER TABLE schedules ADD COLUMN overlap_counts_waiting boolean NOT NULL DEFAULT false;

-- One wait of one run, by the node (or agent turn) that waits: its key is stable across resumptions.
CREATE TABLE waits (
  run_id      uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  node_key    text NOT NULL,
  node_name   text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('approval', 'event', 'time')),
  since       timestamptz NOT NULL,
  -- The due time: a timer's end, or an approval's or event's timeout (null: none).
  until       timestamptz,
  prompt      text,
  approvers   text[] NOT NULL DEFAULT '{}',
  event_name  text,
  match       text,
  lookback_ms bigint NOT NULL DEFAULT 0 CHECK (lookback_ms >= 0),
  on_timeout  text CHECK (on_timeout IN ('reject', 'approve', 'fail', 'continue')),
  -- How it ended: decided (approval), event, timeout, woke (timer), cancelled (the run was).
  resolution  text CHECK (resolution IN ('decided', 'event', 'timeout', 'woke', 'cancelled')),
  resolved_at timestamptz,
  -- What the node receives: the decision, the event or {woke_at}.
  result      jsonb,
  decided_by  uuid,
  event_id    uuid,
  PRIMARY KEY (run_id, node_key),
  CHECK ((resolution IS NULL) = (resolved_at IS NULL))
);
CREATE INDEX waits_due_idx ON waits (until) WHERE resolved_at IS NULL AND until IS NOT NULL;
CREATE INDEX waits_event_idx ON waits (event_name) WHERE resolved_at IS NULL AND kind = 'event';
CREATE INDEX waits_approval_idx ON waits (since) WHERE kind = 'approval';

-- Events sent with POST /api/v1/events, kept so that a wait that begins later can still match one
-- sent up to its `lookback` before (Hatchet's rule). Pruned after the longest lookback (7 days).
CREATE TABLE events (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  key         text,
  payload     jsonb,
  sender_id   uuid REFERENCES users (id) ON DELETE CASCADE,
  received_at timestamptz NOT NULL
);
CREATE INDEX events_name_idx ON events (name, received_at);
