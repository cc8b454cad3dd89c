-- Precheck (issue 21): a schedule or a trigger may carry a cheap check that decides whether its
-- run wakes the model at all; the previous check's response body is kept for "changed since last
-- time" (`response.body != last_precheck`). `alert_on_skips`: alert when a schedule skips this many
-- occurrences in a row, for any reason; `skip_alerted_at` keeps that alert to once per streak.
ALTER TABLE schedules ADD COLUMN precheck jsonb;
ALTER TABLE schedules ADD COLUMN last_precheck jsonb;
ALTER TABLE schedules ADD COLUMN alert_on_skips integer CHECK (alert_on_skips > 0);
ALTER TABLE schedules ADD COLUMN skip_alerted_at timestamptz;
ALTER TABLE triggers ADD COLUMN precheck jsonb;
ALTER TABLE triggers ADD COLUMN last_precheck jsonb;
