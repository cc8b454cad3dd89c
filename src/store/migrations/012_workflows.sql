-- Workflows (issue 10): versioned definitions, the version each run ran, and the durable record of
-- each step of a workflow run (run_steps), written as each step starts and finishes.

ALTER TABLE workflows
  ADD COLUMN description text,
  ADD COLUMN version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- `config`: declared in the config file (kairos.config.ts `workflows`), re-registered at start.
  ADD COLUMN source      text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config'));
CREATE UNIQUE INDEX workflows_owner_name_idx ON workflows (owner_id, name);
CREATE INDEX workflows_owner_created_idx ON workflows (owner_id, created_at DESC);

-- Every version's definition, immutable: a run (and its retries and recoveries) walks the version
-- it started with, even when the workflow is updated meanwhile.
CREATE TABLE workflow_versions (
  workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, version)
);

ALTER TABLE runs ADD COLUMN workflow_version integer;
CREATE INDEX runs_workflow_idx ON runs (workflow_id, created_at DESC) WHERE workflow_id IS NOT NULL;
CREATE INDEX schedules_workflow_idx ON schedules (workflow_id) WHERE workflow_id IS NOT NULL;

-- One row per executed node of a workflow run. `key` is the node's path with the loop iterations
-- it runs in (`steps[2]@3.steps[0]`): unique within the run, and with the run id the step's
-- idempotency key. `path` is the node's place in the definition (`steps[2].steps[0]`).
CREATE TABLE run_steps (
  run_id      uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key         text NOT NULL,
  parent_key  text,
  path        text NOT NULL,
  name        text NOT NULL,
  type        text NOT NULL CHECK (type IN ('step', 'parallel', 'loop', 'router', 'condition')),
  status      text NOT NULL CHECK (status IN ('running', 'success', 'error', 'skipped', 'cancelled')),
  attempt     integer NOT NULL DEFAULT 1,
  iteration   integer,
  ord         integer NOT NULL DEFAULT 0,
  input       jsonb,
  output      jsonb,
  error       jsonb,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms integer,
  PRIMARY KEY (run_id, key)
);

-- The placeholder assistant kind `workflow` goes away: one way to target a workflow. Stored ones
-- become (inactive) workflows of the same owner and name, with their config kept as metadata,
-- and the schedules that targeted them target the workflow instead.
INSERT INTO workflows (id, owner_id, name, definition, status, metadata, description)
SELECT a.id, a.owner_id,
  a.name || CASE WHEN EXISTS (SELECT 1 FROM workflows w WHERE w.owner_id = a.owner_id AND w.name = a.name)
                 THEN ' (assistant ' || a.id::text || ')' ELSE '' END,
  jsonb_build_object('name', a.name, 'steps', '[]'::jsonb),
  'inactive',
  a.metadata || jsonb_build_object('migrated_from_assistant', jsonb_build_object('id', a.id, 'config', a.config)),
  a.description
FROM assistants a WHERE a.kind = 'workflow';
INSERT INTO workflow_versions (workflow_id, version, definition)
SELECT w.id, 1, w.definition FROM workflows w
WHERE NOT EXISTS (SELECT 1 FROM workflow_versions v WHERE v.workflow_id = w.id);
UPDATE schedules s SET target_kind = 'workflow', workflow_id = s.assistant_id, assistant_id = NULL
FROM assistants a WHERE a.id = s.assistant_id AND a.kind = 'workflow';
UPDATE runs r SET workflow_id = r.assistant_id, assistant_id = NULL
FROM assistants a WHERE a.id = r.assistant_id AND a.kind = 'workflow';
DELETE FROM assistants WHERE kind = 'workflow';
