-- Operator controls (issue 9): backfill, pause with a note, pause after failures.

-- A backfill run stands for a scheduled occurrence: it shares the occurrence key with the
-- scheduler's runs, so that backfilling twice, or the scheduler firing an occurrence that a
-- backfill already covered, creates nothing new.
DROP INDEX runs_occurrence_key;
CREATE UNIQUE INDEX runs_occurrence_key ON runs (schedule_id, scheduled_for) WHERE trigger IN ('schedule', 'backfill');

-- A run that waits for a free slot of its schedule (max_concurrent) whatever the overlap policy:
-- backfill runs, which must neither be skipped nor fail for lack of capacity.
ALTER TABLE runs ADD COLUMN waits_for_slot boolean NOT NULL DEFAULT false;
-- (Counting a schedule's active runs for the slot check uses runs_schedule_active_idx of 002.)

-- Who paused a schedule, when and why; cleared on resume. paused_by is NULL for an automatic
-- pause (pause_after_failures).
ALTER TABLE schedules ADD COLUMN paused_at timestamptz;
ALTER TABLE schedules ADD COLUMN paused_by uuid;
ALTER TABLE schedules ADD COLUMN pause_note text;
ALTER TABLE schedules ADD COLUMN pause_after_failures integer CHECK (pause_after_failures >= 1);
