-- The values that the issues of the second round add (backfill and event triggers, workflow and
-- outage outcomes, agent-server kinds), widened in one place so that later migrations need not
-- drop and re-create the same constraints each with its own list.
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check
  CHECK (trigger IN ('schedule', 'manual', 'api', 'retry', 'backfill', 'event'));

ALTER TABLE runs DROP CONSTRAINT runs_error_kind_check;
ALTER TABLE runs ADD CONSTRAINT runs_error_kind_check
  CHECK (error_kind IN ('timeout', 'assistant_error', 'capacity', 'crashed', 'cancelled', 'config',
                        'workflow_error', 'missed', 'excluded', 'outage', 'rate_limited'));

ALTER TABLE assistants DROP CONSTRAINT assistants_kind_check;
ALTER TABLE assistants ADD CONSTRAINT assistants_kind_check
  CHECK (kind IN ('http', 'llm', 'module', 'workflow', 'agentos', 'langgraph', 'a2a'));
