import { z } from '@hono/zod-openapi';
import { runCreateSchema } from '../../runs/api-run.ts';
import { PageQuery, Timestamp, pageOf, queryBoolean } from './common.ts';
import { failureKinds, runStatuses, triggers } from '../../runs/run-status.ts';

const statuses = runStatuses;

/** What a `waiting` run waits for. */
export const WaitingFor = z
  .object({
    kind: z.enum(['approval', 'event', 'time']),
    node: z.string().optional(),
    since: Timestamp,
    until: Timestamp.optional(),
    prompt: z.string().optional(),
    event: z.string().optional(),
  })
  .openapi('WaitingFor');

export const RunEvent = z
  .object({ seq: z.number().int(), at: Timestamp, kind: z.string(), data: z.unknown() })
  .openapi('RunEvent');

const runFields = {
  id: z.string(),
  schedule_id: z.string().nullable(),
  schedule_name: z.string().nullable().openapi({
    description:
      "The name of the run's schedule once that schedule is deleted (schedule_id is then null); null otherwise",
  }),
  assistant_id: z.string().nullable(),
  workflow_id: z.string().nullable(),
  workflow_version: z.number().int().nullable(),
  thread_id: z.string().nullable(),
  remote_session_id: z.string().nullable().openapi({
    description:
      'The conversation on the remote agent server (AgentOS session, LangGraph thread, A2A context), when the assistant keeps one',
  }),
  owner_id: z.string(),
  trigger: z.enum(triggers),
  status: z.enum(statuses),
  error_kind: z.enum(failureKinds).nullable(),
  error: z.string().nullable(),
  scheduled_for: Timestamp.nullable(),
  not_before: Timestamp,
  run_number: z.number().int().nullable(),
  input: z.unknown(),
  output: z.unknown(),
  usage: z.unknown(),
  attempt: z.number().int(),
  max_attempts: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
  config: z
    .record(z.string(), z.unknown())
    .nullable()
    .openapi({ description: "The run's own LangGraph `config`, given when it was created (null: none)" }),
  context: z.unknown().openapi({ description: "The run's own LangGraph `context` (null: none)" }),
  created_at: Timestamp,
  started_at: Timestamp.nullable(),
  finished_at: Timestamp.nullable(),
  duration_ms: z.number().nullable(),
  recoveries: z.number().int().openapi({
    description: 'Times the run resumed after its worker died (up to 3; a recovery does not use up an attempt)',
  }),
  late_by_ms: z.number().int().nullable().openapi({
    description:
      'Set when the run started after its start deadline (a killed or frozen replica, an outage, a busy moment): how late it started, ms (0 on a pending run known to be late)',
  }),
  held_reason: z.string().nullable().openapi({
    description:
      'While `pending`: why a gate holds the run (`provider_limit`, `concurrency_key`, `budget`, `assistant_limit`; docs/gates.md); null otherwise',
  }),
  priority: z.number().int().min(1).max(5).openapi({
    description: '1 (first) to 5: when runs wait for slots, lower numbers start first (default 3; docs/gates.md)',
  }),
  concurrency_key: z.string().nullable().openapi({
    description:
      "The run's concurrency key as rendered at creation from its schedule's, trigger's or workflow's `concurrency` (docs/gates.md); null: none",
  }),
  waiting_for: WaitingFor.nullable().openapi({
    description: 'While `waiting`: what the run waits for (docs/waits.md); null otherwise',
  }),
  replay_of: z.uuid().nullable().openapi({
    description: 'The run this one replays (`POST /api/v1/runs/{id}/replay`); null otherwise',
  }),
};

export const Run = z.object(runFields).openapi('Run');

const stepStatuses = ['running', 'waiting', 'success', 'error', 'skipped', 'cancelled'] as const;

/** One node of a workflow run; `children` holds the nodes inside it (the schema is recursive). */
export const RunStep = z
  .object({
    key: z.string().openapi({
      description: 'Unique within the run: the path with the loop iterations it ran in',
      example: 'steps[1]@2.steps[0]',
    }),
    path: z.string().openapi({ example: 'steps[1].steps[0]' }),
    name: z.string(),
    type: z.enum(['step', 'parallel', 'loop', 'router', 'condition', 'wait']),
    status: z.enum(stepStatuses),
    attempt: z.number().int(),
    iteration: z.number().int().nullable(),
    started_at: Timestamp,
    finished_at: Timestamp.nullable(),
    duration_ms: z.number().int().nullable(),
    input: z.unknown(),
    output: z.unknown(),
    error: z.unknown(),
    reused: z.boolean().openapi({
      description: 'True on a replay for a node whose recorded output was reused (it was not called again)',
    }),
    children: z
      .array(z.unknown())
      .openapi({ description: 'RunStep objects', type: 'array', items: { $ref: '#/components/schemas/RunStep' } }),
  })
  .openapi('RunStep');

export const RunWithEvents = z
  .object({
    ...runFields,
    events: z.array(RunEvent),
    steps: z.array(RunStep).openapi({ description: "A workflow run's step tree (empty for assistant runs)" }),
  })
  .openapi('RunWithEvents');

/**
 * The engine's own schema, with its recursive `z.json()` fields loosened to `unknown` (a JSON body
 * holds only JSON, and the OpenAPI generator cannot walk the recursion); the service re-validates.
 */
export const RunCreate = runCreateSchema.extend({
  input: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  context: z.unknown().optional(),
});

export const RunCreateQuery = z.object({
  wait: queryBoolean
    .optional()
    .openapi({ description: 'Answer once the run has finished (or `wait_timeout_ms` passed)' }),
  wait_timeout_ms: z.coerce.number().int().min(1).max(600_000).default(60_000),
});

export const RunListQuery = PageQuery.extend({
  schedule_id: z.string().optional(),
  assistant_id: z.string().optional(),
  workflow_id: z.string().optional(),
  thread_id: z.string().optional(),
  status: z.enum(statuses).optional(),
  trigger: z.enum(triggers).optional(),
  owner_id: z.string().optional().openapi({ description: "Admins: one user's runs" }),
  from: Timestamp.optional().openapi({ description: 'Runs created at or after this instant' }),
  to: Timestamp.optional().openapi({ description: 'Runs created before this instant' }),
});

export const RunList = pageOf(Run, 'RunList');

export type Run = z.infer<typeof Run>;
export type RunWithEvents = z.infer<typeof RunWithEvents>;
export type RunEvent = z.infer<typeof RunEvent>;
export type RunCreate = z.input<typeof RunCreate>;

/** `POST /api/v1/runs/{id}/replay`'s body (optional). */
export const RunReplay = z
  .strictObject({
    from_step: z.string().optional().openapi({
      description:
        'A node of the replayed run, by name (the first node that ran with it) or key: the nodes that started before it are reused, it and the rest run again. Absent: everything runs again. Workflow runs only.',
      example: 'summarise',
    }),
  })
  .openapi('RunReplay');
export type RunReplay = z.input<typeof RunReplay>;
export type RunList = z.infer<typeof RunList>;
