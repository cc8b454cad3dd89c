-- One-time facts about this installation (e.g. that the demo schedule was offered once).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL DEFAULT 'true',
  created_at timestamptz NOT NULL DEFAULT now()
);
