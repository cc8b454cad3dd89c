-- Creation order that never ties: PGlite's clock has millisecond resolution, so two assistants
-- created in the same millisecond share `created_at`, and "the oldest of a graph" (the LangGraph
-- default assistant) was decided by a random id. The identity column breaks such ties in insertion order.
ALTER TABLE assistants ADD COLUMN created_seq bigint GENERATED ALWAYS AS IDENTITY;
