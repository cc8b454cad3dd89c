-- Debounce on triggers (issue 21): a burst of deliveries with the same key becomes one run with
-- the last delivery's input, started once `debounce_ms` has passed without a new delivery.
ALTER TABLE triggers ADD COLUMN debounce_ms integer CHECK (debounce_ms > 0 AND debounce_ms <= 86400000);
-- A template over the delivery ({{event.body.…}}); null: one key for the whole trigger.
ALTER TABLE triggers ADD COLUMN debounce_key text;

-- A held delivery is recorded as 'debounced'; the one that started the run links to it.
ALTER TABLE trigger_deliveries DROP CONSTRAINT trigger_deliveries_outcome_check;
ALTER TABLE trigger_deliveries ADD CONSTRAINT trigger_deliveries_outcome_check
  CHECK (outcome IN ('accepted', 'replayed', 'unauthorized', 'rate_limited', 'too_large', 'invalid',
                     'disabled', 'misconfigured', 'unavailable', 'debounced'));
-- A held delivery's id is remembered like an accepted one's: a resent twin is a replay.
DROP INDEX trigger_deliveries_key_idx;
CREATE UNIQUE INDEX trigger_deliveries_key_idx ON trigger_deliveries (trigger_id, delivery_key)
  WHERE outcome IN ('accepted', 'debounced') AND delivery_key IS NOT NULL;

-- One pending debounce per (trigger, key): upserted in each held delivery's transaction, claimed
-- once due by any replica (FOR UPDATE SKIP LOCKED) and deleted in the transaction that creates the run.
CREATE TABLE trigger_debounces (
  trigger_id        uuid NOT NULL REFERENCES triggers (id) ON DELETE CASCADE,
  debounce_key      text NOT NULL,
  due_at            timestamptz NOT NULL,
  -- The latest delivery of the burst: its input is the run's.
  delivery_id       uuid NOT NULL REFERENCES trigger_deliveries (id) ON DELETE CASCADE,
  received_at       timestamptz NOT NULL,
  input             jsonb,
  delivery_key      text,
  deliveries        integer NOT NULL DEFAULT 1,
  first_received_at timestamptz NOT NULL,
  PRIMARY KEY (trigger_id, debounce_key)
);
CREATE INDEX trigger_debounces_due_idx ON trigger_debounces (due_at);
