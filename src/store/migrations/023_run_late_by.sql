-- How late a run started past its start deadline (a fault, or a busy moment), in ms; null when on
-- time. 0 on a pending run: the deadline sweep found it late and its misfire policy still runs it.
ALTER TABLE runs ADD COLUMN late_by_ms integer;
