-- Every append to a run's trace wakes its streams (GET /api/v1/runs/{id}/stream) on any replica:
-- one notification per run per statement on `<schema>__run_events`, the run id as payload.
CREATE FUNCTION notify_run_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '__run_events', d.run_id::text)
  FROM (SELECT DISTINCT run_id FROM appended) d;
  RETURN NULL;
END
$$;

CREATE TRIGGER run_events_notify AFTER INSERT ON run_events
  REFERENCING NEW TABLE AS appended
  FOR EACH STATEMENT EXECUTE FUNCTION notify_run_events();

-- LangGraph's assistant `config` and `context` (POST/PATCH /assistants): kept beside the
-- assistant, shown back, and given to the runs the LangGraph routes create when they bring none.
CREATE TABLE langgraph_assistant_settings (
  assistant_id uuid PRIMARY KEY REFERENCES assistants (id) ON DELETE CASCADE,
  config       jsonb NOT NULL DEFAULT '{}',
  context      jsonb NOT NULL DEFAULT '{}',
  updated_at   timestamptz NOT NULL DEFAULT now()
);
