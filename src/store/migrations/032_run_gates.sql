-- Gates before a run starts (issue 21): a false precheck, a spent budget and a concurrency-key
-- skip are failure kinds of their own; a pending run held by a gate says why in `held_reason`.
ALTER TABLE runs DROP CONSTRAINT runs_error_kind_check;
ALTER TABLE runs ADD CONSTRAINT runs_error_kind_check
  CHECK (error_kind IN ('timeout', 'assistant_error', 'capacity', 'crashed', 'cancelled', 'config',
                        'workflow_error', 'missed', 'excluded', 'outage', 'rate_limited',
                        'precheck', 'budget', 'concurrency'));
ALTER TABLE runs ADD COLUMN held_reason text;
