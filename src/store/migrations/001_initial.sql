-- Kairos initial schema: the tables of DESIGN.md §3 that scheduling and running need.
-- Tables are created unqualified: the migrator runs with search_path set to the Kairos schema.

CREATE TABLE users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  disabled_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The single admin that local mode (loopback, no keys) acts as, and the owner of built-ins.
INSERT INTO users (id, name, role) VALUES ('00000000-0000-0000-0000-000000000001', 'local', 'admin');

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text,
  prefix       text NOT NULL,
  hash         text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE assistants (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text,
  kind        text NOT NULL CHECK (kind IN ('http', 'llm', 'module', 'workflow')),
  config      jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  graph_id    text,
  built_in    boolean NOT NULL DEFAULT false,
  metadata    jsonb NOT NULL DEFAULT '{}',
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assistants_owner_idx ON assistants (owner_id, created_at DESC);
CREATE INDEX assistants_graph_idx ON assistants (graph_id, created_at) WHERE graph_id IS NOT NULL;

CREATE TABLE workflows (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name        text NOT NULL,
  definition  jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  metadata    jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE threads (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assistant_id uuid REFERENCES assistants (id) ON DELETE SET NULL,
  status       text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'busy', 'error', 'interrupted')),
  metadata     jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_owner_idx ON threads (owner_id, created_at DESC);

CREATE TABLE messages (
  thread_id  uuid NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  role       text NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  content    jsonb NOT NULL,
  run_id     uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, seq)
);

CREATE TABLE schedules (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name                 text NOT NULL,
  target_kind          text NOT NULL DEFAULT 'assistant' CHECK (target_kind IN ('assistant', 'workflow')),
  assistant_id         uuid REFERENCES assistants (id) ON DELETE CASCADE,
  workflow_id          uuid REFERENCES workflows (id) ON DELETE CASCADE,
  -- Deleting a thread deletes the schedules bound to it.
  thread_id            uuid REFERENCES threads (id) ON DELETE CASCADE,
  kind                 text NOT NULL CHECK (kind IN ('cron', 'once', 'interval')),
  cron                 text,
  at                   timestamptz,
  every_ms             bigint CHECK (every_ms > 0),
  anchor_at            timestamptz,
  timezone             text NOT NULL DEFAULT 'UTC',
  start_at             timestamptz,
  end_at               timestamptz,
  max_runs             integer CHECK (max_runs > 0),
  input_template       jsonb,
  config               jsonb NOT NULL DEFAULT '{}',
  metadata             jsonb NOT NULL DEFAULT '{}',
  session_mode         text NOT NULL DEFAULT 'new' CHECK (session_mode IN ('new', 'persistent')),
  on_run_completed     text NOT NULL DEFAULT 'delete' CHECK (on_run_completed IN ('delete', 'keep')),
  max_concurrent       integer NOT NULL DEFAULT 1 CHECK (max_concurrent >= 1),
  overlap              text NOT NULL DEFAULT 'skip' CHECK (overlap IN ('skip', 'queue', 'allow', 'cancel_previous')),
  timeout_ms           integer CHECK (timeout_ms > 0),
  retry_max_attempts   integer NOT NULL DEFAULT 1 CHECK (retry_max_attempts >= 1),
  retry_backoff_ms     integer NOT NULL DEFAULT 1000 CHECK (retry_backoff_ms >= 0),
  misfire              text NOT NULL DEFAULT 'run_once' CHECK (misfire IN ('skip', 'run_once', 'run_all')),
  catchup_window_ms    bigint NOT NULL DEFAULT 3600000 CHECK (catchup_window_ms >= 0),
  jitter_ms            integer NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
  alert_after          integer NOT NULL DEFAULT 3 CHECK (alert_after >= 1),
  webhook              text,
  enabled              boolean NOT NULL DEFAULT true,
  completed_at         timestamptz,
  next_run_at          timestamptz,
  run_count            integer NOT NULL DEFAULT 0,
  missed_count         integer NOT NULL DEFAULT 0,
  consecutive_failures integer NOT NULL DEFAULT 0,
  alerted_streak       boolean NOT NULL DEFAULT false,
  last_run_at          timestamptz,
  last_run_status      text,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_id, name),
  CHECK ((target_kind = 'assistant') = (assistant_id IS NOT NULL) OR target_kind = 'workflow'),
  CHECK (kind <> 'cron' OR cron IS NOT NULL),
  CHECK (kind <> 'once' OR at IS NOT NULL),
  CHECK (kind <> 'interval' OR every_ms IS NOT NULL)
);
CREATE INDEX schedules_due_idx ON schedules (next_run_at) WHERE enabled;
CREATE INDEX schedules_assistant_idx ON schedules (assistant_id);
CREATE INDEX schedules_thread_idx ON schedules (thread_id) WHERE thread_id IS NOT NULL;

CREATE TABLE runs (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  schedule_id      uuid REFERENCES schedules (id) ON DELETE SET NULL,
  assistant_id     uuid REFERENCES assistants (id) ON DELETE SET NULL,
  workflow_id      uuid REFERENCES workflows (id) ON DELETE SET NULL,
  thread_id        uuid REFERENCES threads (id) ON DELETE SET NULL,
  owner_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  trigger          text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'api', 'retry')),
  scheduled_for    timestamptz,
  not_before       timestamptz NOT NULL,
  start_deadline   timestamptz,
  run_number       integer,
  input            jsonb,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'success', 'error', 'timeout', 'cancelled', 'skipped')),
  error_kind       text CHECK (error_kind IN ('timeout', 'assistant_error', 'capacity', 'crashed', 'cancelled', 'config')),
  error            text,
  output           jsonb,
  usage            jsonb,
  metadata         jsonb NOT NULL DEFAULT '{}',
  attempt          integer NOT NULL DEFAULT 1,
  max_attempts     integer NOT NULL DEFAULT 1,
  retry_of         uuid REFERENCES runs (id) ON DELETE SET NULL,
  lease_owner      text,
  lease_expires_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  duration_ms      integer
);
-- Exactly one run per scheduled occurrence; manual, api and retry runs stand outside it.
CREATE UNIQUE INDEX runs_occurrence_key ON runs (schedule_id, scheduled_for) WHERE trigger = 'schedule';
CREATE INDEX runs_runnable_idx ON runs (not_before) WHERE status = 'pending';
CREATE INDEX runs_leases_idx ON runs (lease_expires_at) WHERE status = 'running';
CREATE INDEX runs_schedule_idx ON runs (schedule_id, created_at DESC);
CREATE INDEX runs_owner_idx ON runs (owner_id, created_at DESC);
CREATE INDEX runs_assistant_idx ON runs (assistant_id, created_at DESC);
CREATE INDEX runs_finished_idx ON runs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE run_events (
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq    integer NOT NULL,
  at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind   text NOT NULL,
  data   jsonb,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE schedule_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind        text NOT NULL,
  data        jsonb
);
CREATE INDEX schedule_events_schedule_idx ON schedule_events (schedule_id, at DESC);

CREATE TABLE replicas (
  id              text PRIMARY KEY,
  roles           text[] NOT NULL,
  hostname        text,
  pid             integer,
  started_at      timestamptz NOT NULL DEFAULT now(),
  heartbeat_at    timestamptz NOT NULL DEFAULT now(),
  clock_offset_ms double precision NOT NULL DEFAULT 0
);
