-- Model providers (issue 21, docs/gates.md "Providers"): a base URL, a key (an env reference,
-- never a value) and limits that hold across every replica and every assistant that names the
-- provider: `rpm` requests and `tpm` tokens in any 60 seconds, `max_concurrent` runs at once.
-- A 429 (or 503 with Retry-After) pauses the provider until `paused_until`.
CREATE TABLE providers (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name           text NOT NULL,
  base_url       text NOT NULL,
  api_key        jsonb,
  rpm            integer CHECK (rpm >= 1),
  tpm            integer CHECK (tpm >= 1),
  max_concurrent integer CHECK (max_concurrent >= 1),
  paused_until   timestamptz,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_id, name)
);

-- An assistant names a provider of its owner. The name is the reference (a rename follows it);
-- a provider still named by an assistant cannot be deleted.
ALTER TABLE assistants ADD COLUMN provider text;
ALTER TABLE assistants ADD CONSTRAINT assistants_provider_fkey
  FOREIGN KEY (owner_id, provider) REFERENCES providers (owner_id, name) ON UPDATE CASCADE;
CREATE INDEX assistants_provider_idx ON assistants (owner_id, provider) WHERE provider IS NOT NULL;

-- The sliding window: one row per request sent (or run started, for kinds other than llm) with
-- its tokens (estimated before the call, corrected from the answer's usage). Rows older than the
-- window are deleted as new ones are written.
CREATE TABLE provider_calls (
  id          bigserial PRIMARY KEY,
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  tokens      integer NOT NULL DEFAULT 0
);
CREATE INDEX provider_calls_window_idx ON provider_calls (provider_id, at);
