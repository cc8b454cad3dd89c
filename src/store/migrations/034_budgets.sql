-- Budgets (issue 21, docs/gates.md "Budgets"): a schedule, an assistant and a user may carry
-- `{"tokens_per_run"?, "tokens_per_day"?, "usd_per_day"?, "usd_per_month"?, "on_exceed"}`.
-- Validated by the services (src/runs/budget.ts); null: no budget. Spend is read from runs.usage
-- (run_usage_v) over the existing (schedule_id | assistant_id | owner_id, created_at) indexes.
ALTER TABLE schedules ADD COLUMN budget jsonb;
ALTER TABLE assistants ADD COLUMN budget jsonb;
ALTER TABLE users ADD COLUMN budget jsonb;
