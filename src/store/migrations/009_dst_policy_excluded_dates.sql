-- A DST policy per schedule (NULL keys keep the Vixie rule for the job), wall-clock dates whose
-- occurrences are skipped, and how many occurrences those dates have skipped so far.
ALTER TABLE schedules ADD COLUMN dst_repeated text CHECK (dst_repeated IN ('first', 'last', 'both'));
ALTER TABLE schedules ADD COLUMN dst_skipped text CHECK (dst_skipped IN ('shift', 'skip'));
ALTER TABLE schedules ADD COLUMN exclude_dates text[] NOT NULL DEFAULT '{}';
ALTER TABLE schedules ADD COLUMN excluded_count integer NOT NULL DEFAULT 0;
