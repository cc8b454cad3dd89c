-- A run keeps the name of its schedule once the schedule is deleted (schedule_id becomes NULL):
-- history still says which schedule a run was for. Stamped by a trigger, so every way a schedule
-- goes (deleted, completed with on_run_completed = delete, with its thread or assistant) keeps it.
ALTER TABLE runs ADD COLUMN schedule_name text;

CREATE FUNCTION runs_keep_schedule_name() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE runs SET schedule_name = OLD.name WHERE schedule_id = OLD.id;
  RETURN OLD;
END;
$$;

CREATE TRIGGER schedules_keep_name_on_runs
  BEFORE DELETE ON schedules
  FOR EACH ROW EXECUTE FUNCTION runs_keep_schedule_name();

-- The history view: the live name, else the kept one.
CREATE OR REPLACE VIEW schedule_runs_v AS
SELECT
  r.id               AS run_id,
  r.schedule_id,
  COALESCE(s.name, r.schedule_name) AS schedule_name,
  r.assistant_id,
  r.workflow_id,
  r.owner_id,
  r.run_number,
  r.status,
  r.trigger,
  r.scheduled_for,
  r.created_at,
  r.started_at,
  r.finished_at,
  r.duration_ms,
  CASE WHEN r.duration_ms IS NOT NULL THEN make_interval(secs => r.duration_ms / 1000.0::double precision) END AS duration,
  r.error_kind,
  r.error,
  r.attempt,
  u.model,
  u.prompt_tokens,
  u.completion_tokens,
  u.total_tokens     AS tokens
FROM runs r
LEFT JOIN schedules s ON s.id = r.schedule_id
LEFT JOIN run_usage_v u ON u.run_id = r.id;
