-- Schedules declared in code (issue 11). `source` says who manages a schedule: `api` (created by
-- a person or program through the API, CLI or dashboard), `config` (declared in the config file and
-- registered at every start), `apply` (upserted by name: PUT /schedules/by-name, SDK ensure, CLI
-- apply). `source_note` says why a managed schedule is not as declared, e.g. paused because its
-- declaration was removed from the config file.
ALTER TABLE schedules
  ADD COLUMN source      text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config', 'apply')),
  ADD COLUMN source_note text;

-- Each start lists the config-managed schedules of the config owner to prune removed declarations.
CREATE INDEX schedules_config_idx ON schedules (owner_id) WHERE source = 'config';
