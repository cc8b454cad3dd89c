-- Agent runs that wait (issue 20): what the agent needs to continue when its wait ends (an llm
-- assistant's conversation up to its `request_approval` call), kept with the wait.
ALTER TABLE waits ADD COLUMN state jsonb;
