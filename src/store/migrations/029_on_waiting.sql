-- The `on_waiting` webhook (issue 20): a run that starts waiting is POSTed to its schedule's (or its
-- workflow definition's) `on_waiting` URL, once per wait, with the approval's signed link.
ALTER TABLE schedules ADD COLUMN on_waiting text;
ALTER TABLE waits
  ADD COLUMN notify_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN notify_next_at  timestamptz,
  ADD COLUMN notified_at     timestamptz;
-- Waits opened before this release are not announced.
UPDATE waits SET notified_at = since;
CREATE INDEX waits_notify_idx ON waits (since) WHERE notified_at IS NULL;
