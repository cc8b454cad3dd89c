-- Workers claim runnable runs `ORDER BY not_before, created_at LIMIT n`: with both columns in the
-- index a claim reads n rows instead of sorting every runnable run (a herd of 10,000 due at once).
CREATE INDEX runs_runnable_order_idx ON runs (not_before, created_at) WHERE status = 'pending';
DROP INDEX runs_runnable_idx;
