-- The run list's order (newest first) for callers that filter by nothing indexed (admins, the
-- dashboard's Runs page): without it, a page of 50 runs sorted all of them (12 s at 1,000,000).
CREATE INDEX runs_created_idx ON runs (created_at DESC, id);
