-- A run's own LangGraph `config` and `context` (an api run's, e.g. from POST /runs/wait): passed to
-- the assistant like a schedule's, and winning over the schedule's when both are set.
ALTER TABLE runs ADD COLUMN config jsonb;
ALTER TABLE runs ADD COLUMN context jsonb;
