-- The schedule list's orders and its failing filter, for callers that filter by nothing indexed
-- (admins, the dashboard's Schedules page and Overview): without them a page of 50 sorted every
-- schedule (190 ms at 100,000, more under load), and the failing list and count read every row.
CREATE INDEX schedules_next_run_idx ON schedules (next_run_at, id);
CREATE INDEX schedules_created_idx ON schedules (created_at DESC, id);
CREATE INDEX schedules_failing_idx ON schedules (consecutive_failures DESC NULLS LAST, id DESC)
  WHERE consecutive_failures >= alert_after;
-- By name: the schedule pickers (the Runs page's filter reads 200 by name) and the list's name sort.
CREATE INDEX schedules_name_idx ON schedules (name, id);
