-- Stable, documented views over run history (docs/data-model.md): what users query with SQL.
-- Their columns only ever grow; a change that would rename or drop one is a new view.

-- Token usage as runs record it (llm runs, module `recordUsage`, an http agent's `usage` answer).
CREATE VIEW run_usage_v AS
SELECT
  r.id AS run_id,
  nullif(r.usage ->> 'model', '') AS model,
  CASE WHEN jsonb_typeof(r.usage -> 'prompt_tokens') = 'number' THEN (r.usage ->> 'prompt_tokens')::numeric::bigint END AS prompt_tokens,
  CASE WHEN jsonb_typeof(r.usage -> 'completion_tokens') = 'number' THEN (r.usage ->> 'completion_tokens')::numeric::bigint END AS completion_tokens,
  CASE
    WHEN jsonb_typeof(r.usage -> 'total_tokens') = 'number' THEN (r.usage ->> 'total_tokens')::numeric::bigint
    WHEN jsonb_typeof(r.usage -> 'prompt_tokens') = 'number' OR jsonb_typeof(r.usage -> 'completion_tokens') = 'number'
      THEN coalesce(CASE WHEN jsonb_typeof(r.usage -> 'prompt_tokens') = 'number' THEN (r.usage ->> 'prompt_tokens')::numeric::bigint END, 0)
         + coalesce(CASE WHEN jsonb_typeof(r.usage -> 'completion_tokens') = 'number' THEN (r.usage ->> 'completion_tokens')::numeric::bigint END, 0)
  END AS total_tokens
FROM runs r
WHERE r.usage IS NOT NULL AND jsonb_typeof(r.usage) = 'object';

-- One row per run (scheduled or not), with its schedule's name and its tokens.
CREATE VIEW schedule_runs_v AS
SELECT
  r.id               AS run_id,
  r.schedule_id,
  s.name             AS schedule_name,
  r.assistant_id,
  r.workflow_id,
  r.owner_id,
  r.run_number,
  r.status,
  r.trigger,
  r.scheduled_for,
  r.created_at,
  r.started_at,
  r.finished_at,
  r.duration_ms,
  CASE WHEN r.duration_ms IS NOT NULL THEN make_interval(secs => r.duration_ms / 1000.0::double precision) END AS duration,
  r.error_kind,
  r.error,
  r.attempt,
  u.model,
  u.prompt_tokens,
  u.completion_tokens,
  u.total_tokens     AS tokens
FROM runs r
LEFT JOIN schedules s ON s.id = r.schedule_id
LEFT JOIN run_usage_v u ON u.run_id = r.id;

-- One row per schedule and UTC day that has runs: counts by outcome, durations and tokens.
CREATE VIEW schedule_runs_daily_v AS
SELECT
  (v.created_at AT TIME ZONE 'UTC')::date AS day,
  v.schedule_id,
  max(v.schedule_name)                                           AS schedule_name,
  count(*)::int                                                  AS runs,
  count(*) FILTER (WHERE v.status = 'success')::int              AS succeeded,
  count(*) FILTER (WHERE v.status IN ('error', 'timeout'))::int  AS failed,
  count(*) FILTER (WHERE v.status = 'skipped')::int              AS skipped,
  count(*) FILTER (WHERE v.status = 'cancelled')::int            AS cancelled,
  CASE WHEN count(*) FILTER (WHERE v.status IN ('success', 'error', 'timeout')) > 0
    THEN round(count(*) FILTER (WHERE v.status IN ('error', 'timeout'))::numeric
               / count(*) FILTER (WHERE v.status IN ('success', 'error', 'timeout')), 4)
  END                                                            AS failure_rate,
  round(avg(v.duration_ms) FILTER (WHERE v.status <> 'skipped'))::int AS avg_duration_ms,
  max(v.duration_ms)                                             AS max_duration_ms,
  coalesce(sum(v.prompt_tokens), 0)::bigint                      AS prompt_tokens,
  coalesce(sum(v.completion_tokens), 0)::bigint                  AS completion_tokens,
  coalesce(sum(v.tokens), 0)::bigint                             AS tokens
FROM schedule_runs_v v
GROUP BY 1, 2;

-- Token alerts: a schedule may alert when one day's tokens pass a threshold (once per day).
ALTER TABLE schedules
  ADD COLUMN alert_on_tokens_per_day bigint CHECK (alert_on_tokens_per_day > 0),
  ADD COLUMN tokens_alerted_on       date;
