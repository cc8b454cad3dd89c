-- Agent-server kinds (agentos, langgraph, a2a) keep the conversation on the remote server: the
-- remote session, thread or context id is kept on Kairos's own thread, one per assistant (a thread
-- may be run by more than one assistant), and shown on each run that used it.
ALTER TABLE threads ADD COLUMN remote_sessions jsonb NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN remote_session_id text;
