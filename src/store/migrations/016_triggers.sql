-- Inbound triggers (issue 12): a signed delivery to POST /hooks/{id} becomes a run with
-- trigger 'event'. Every delivery, accepted or refused, is kept in trigger_deliveries.
CREATE TABLE triggers (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name              text NOT NULL,
  target_kind       text NOT NULL DEFAULT 'assistant' CHECK (target_kind IN ('assistant', 'workflow')),
  assistant_id      uuid REFERENCES assistants (id) ON DELETE CASCADE,
  workflow_id       uuid REFERENCES workflows (id) ON DELETE CASCADE,
  input_template    jsonb,
  -- {type, header, secret|token: {env}, …}: secrets are env references, never values.
  auth              jsonb NOT NULL,
  -- The header that carries a delivery id (replay guard), besides X-GitHub-Delivery and Idempotency-Key.
  delivery_header   text,
  overlap           text NOT NULL DEFAULT 'allow' CHECK (overlap IN ('skip', 'queue', 'allow', 'cancel_previous')),
  max_concurrent    integer NOT NULL DEFAULT 1 CHECK (max_concurrent >= 1),
  timeout_ms        integer CHECK (timeout_ms > 0),
  -- Fixed-window rate limit shared by every replica: the window's start and count live on the row.
  rate_limit_max    integer CHECK (rate_limit_max >= 1),
  rate_limit_ms     integer CHECK (rate_limit_ms >= 1000),
  rate_window_start timestamptz,
  rate_window_count integer NOT NULL DEFAULT 0,
  enabled           boolean NOT NULL DEFAULT true,
  metadata          jsonb NOT NULL DEFAULT '{}',
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_id, name),
  CHECK ((target_kind = 'assistant') = (assistant_id IS NOT NULL)),
  CHECK ((target_kind = 'workflow') = (workflow_id IS NOT NULL))
);
CREATE INDEX triggers_owner_idx ON triggers (owner_id, created_at DESC);

-- Runs of a trigger: overlap and max_concurrent are decided per trigger, like per schedule.
ALTER TABLE runs ADD COLUMN trigger_id uuid REFERENCES triggers (id) ON DELETE SET NULL;
CREATE INDEX runs_trigger_active_idx ON runs (trigger_id, not_before) WHERE status IN ('pending', 'running');

CREATE TABLE trigger_deliveries (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trigger_id   uuid NOT NULL REFERENCES triggers (id) ON DELETE CASCADE,
  received_at  timestamptz NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('accepted', 'replayed', 'unauthorized', 'rate_limited',
                                                'too_large', 'invalid', 'disabled', 'misconfigured', 'unavailable')),
  http_status  integer NOT NULL,
  reason       text,
  -- The sender's delivery id (X-GitHub-Delivery, Idempotency-Key or the configured header).
  delivery_key text,
  run_id       uuid REFERENCES runs (id) ON DELETE SET NULL,
  body_bytes   integer NOT NULL DEFAULT 0
);
CREATE INDEX trigger_deliveries_trigger_idx ON trigger_deliveries (trigger_id, received_at DESC);
-- One accepted delivery per delivery id: a replay finds the first one's run, a concurrent twin conflicts.
CREATE UNIQUE INDEX trigger_deliveries_key_idx ON trigger_deliveries (trigger_id, delivery_key)
  WHERE outcome = 'accepted' AND delivery_key IS NOT NULL;
