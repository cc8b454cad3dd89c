-- Agent-managed schedules (issue 11): who created a schedule when it was not its owner by hand.
-- `{"kind": "agent", "run_id": …, "assistant_id": …}` for a schedule an llm assistant created
-- with the scheduler tools during a run; NULL for schedules created through the API, CLI,
-- dashboard or MCP by the owner's key.
ALTER TABLE schedules ADD COLUMN created_by jsonb;
