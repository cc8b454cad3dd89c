-- How late a run started past its start deadline (a fault, or a busy moment), in ms; null when on
-- time. 0 on a pending run: the deadline sweep found it late and its misfire policy still runs it.
ALTER TABLE runs ADD COLUMN late_by_ms integer;

-- Recoveries: a run whose worker died (its lease expired) resumes without using up an attempt,
-- up to max_recoveries times; `attempt` still counts every start (it fences the writes).
ALTER TABLE runs ADD COLUMN recoveries integer NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN max_recoveries integer NOT NULL DEFAULT 3 CHECK (max_recoveries >= 0);
