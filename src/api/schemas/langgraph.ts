import { z } from '@hono/zod-openapi';
import { Timestamp } from './common.ts';

/**
 * The LangGraph Platform (agent server) shapes that `@langchain/langgraph-sdk` sends and reads,
 * field for field. Bodies are strict: an unknown field is refused (422), never dropped. Fields
 * the SDK sends that have no meaning in Kairos (stream modes, durability, …) are accepted and
 * kept in the cron's payload; those that would change what a run does and are not supported
 * (`command`, `checkpoint`, …) are refused with a message saying so.
 */

const jsonObject = z.record(z.string(), z.unknown());
const interrupt = z.union([z.literal('*'), z.array(z.string())]);

/** Payload fields Kairos keeps (shown back in `payload`); of these only `config` and `context` reach the runs. */
const keptRunFields = {
  config: jsonObject.optional(),
  context: z.unknown().optional(),
  interrupt_before: interrupt.optional(),
  interrupt_after: interrupt.optional(),
  multitask_strategy: z.enum(['reject', 'interrupt', 'rollback', 'enqueue']).optional(),
  checkpoint_during: z.boolean().optional(),
  durability: z.string().optional(),
  stream_mode: z.unknown().optional(),
  stream_subgraphs: z.boolean().optional(),
  stream_resumable: z.boolean().optional(),
};
export const keptRunFieldNames = Object.keys(keptRunFields) as Array<keyof typeof keptRunFields>;

const webhook = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

export const LangGraphCronCreate = z
  .strictObject({
    assistant_id: z.string().min(1).max(200).openapi({ description: 'An assistant id or a graph id' }),
    schedule: z.string().min(1).openapi({ description: 'A cron expression', example: '0 9 * * 1-5' }),
    timezone: z.string().min(1).optional(),
    input: z.unknown().optional(),
    metadata: jsonObject.optional(),
    webhook: webhook.optional(),
    on_run_completed: z.enum(['delete', 'keep']).optional(),
    enabled: z.boolean().optional(),
    end_time: Timestamp.nullable().optional(),
    ...keptRunFields,
  })
  .openapi('LangGraphCronCreate');

export const LangGraphCronUpdate = z
  .strictObject({
    schedule: z.string().min(1).optional(),
    timezone: z.string().min(1).optional(),
    end_time: Timestamp.nullable().optional().openapi({ description: '`null` clears it' }),
    input: z.unknown().optional(),
    metadata: jsonObject.optional().openapi({ description: 'Merged into the current metadata' }),
    webhook: webhook.nullable().optional(),
    on_run_completed: z.enum(['delete', 'keep']).optional(),
    enabled: z.boolean().optional().openapi({ description: '`false` pauses, `true` resumes' }),
    ...keptRunFields,
  })
  .openapi('LangGraphCronUpdate');

export const cronFields = [
  'cron_id',
  'assistant_id',
  'thread_id',
  'on_run_completed',
  'end_time',
  'schedule',
  'timezone',
  'created_at',
  'updated_at',
  'payload',
  'user_id',
  'next_run_date',
  'metadata',
  'enabled',
] as const;

const cronFilters = {
  assistant_id: z.string().min(1).max(200).optional().openapi({ description: 'An assistant id or a graph id' }),
  thread_id: z.uuid().optional(),
  enabled: z.boolean().optional(),
  metadata: jsonObject.optional().openapi({ description: 'Exact match per key' }),
};

export const LangGraphCronSearch = z
  .strictObject({
    ...cronFilters,
    limit: z.number().int().min(1).max(1000).default(10),
    offset: z.number().int().min(0).default(0),
    sort_by: z
      .enum(['cron_id', 'assistant_id', 'thread_id', 'created_at', 'updated_at', 'next_run_date'])
      .default('created_at'),
    sort_order: z.enum(['asc', 'desc']).default('desc'),
    select: z.array(z.enum(cronFields)).min(1).optional(),
  })
  .openapi('LangGraphCronSearch');

export const LangGraphCronCount = z.strictObject(cronFilters).openapi('LangGraphCronCount');

export const LangGraphCron = z
  .object({
    cron_id: z.string(),
    assistant_id: z.string().nullable(),
    thread_id: z.string().nullable(),
    on_run_completed: z.enum(['delete', 'keep']).nullable(),
    end_time: Timestamp.nullable(),
    schedule: z.string(),
    timezone: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    payload: jsonObject,
    user_id: z.string(),
    next_run_date: Timestamp.nullable(),
    metadata: jsonObject,
    enabled: z.boolean(),
    run_id: z.string().optional().openapi({ description: 'Create only: the immediate first run' }),
  })
  .openapi('LangGraphCron');

export const CronParams = z.object({
  cron_id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'cron_id', in: 'path' } }),
});
export const ThreadParams = z.object({
  thread_id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'thread_id', in: 'path' } }),
});
export const AssistantParams = z.object({
  assistant_id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'assistant_id', in: 'path' } }),
});

export const LangGraphAssistantCreate = z
  .strictObject({
    graph_id: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "The graph: the new assistant runs like the graph's default assistant" }),
    assistant_id: z.uuid().optional(),
    if_exists: z.enum(['raise', 'do_nothing']).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(4000).nullable().optional(),
    metadata: jsonObject.optional(),
    config: jsonObject.optional(),
    context: z.unknown().optional(),
  })
  .openapi('LangGraphAssistantCreate');

/** The fields of LangGraph's Assistant, the only names `select` accepts (an unknown one is a 422, not an empty object). */
const assistantFields = [
  'assistant_id',
  'graph_id',
  'config',
  'context',
  'metadata',
  'version',
  'name',
  'description',
  'created_at',
  'updated_at',
] as const;

export const LangGraphAssistantSearch = z
  .strictObject({
    graph_id: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    metadata: jsonObject.optional(),
    limit: z.number().int().min(1).max(1000).default(10),
    offset: z.number().int().min(0).default(0),
    sort_by: z.enum(['assistant_id', 'graph_id', 'name', 'created_at', 'updated_at']).default('created_at'),
    sort_order: z.enum(['asc', 'desc']).default('desc'),
    select: z.array(z.enum(assistantFields)).min(1).optional(),
  })
  .openapi('LangGraphAssistantSearch');

export const LangGraphAssistant = z
  .object({
    assistant_id: z.string(),
    graph_id: z.string(),
    config: jsonObject,
    context: jsonObject,
    metadata: jsonObject,
    version: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('LangGraphAssistant');

export const LangGraphThreadCreate = z
  .strictObject({
    metadata: jsonObject.optional(),
    thread_id: z.uuid().optional(),
    if_exists: z.enum(['raise', 'do_nothing']).optional(),
    supersteps: z.unknown().optional(),
    ttl: z.unknown().optional(),
  })
  .openapi('LangGraphThreadCreate');

export const LangGraphThread = z
  .object({
    thread_id: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
    state_updated_at: Timestamp,
    metadata: jsonObject,
    status: z.enum(['idle', 'busy', 'interrupted', 'error']),
    values: jsonObject,
    interrupts: jsonObject,
    config: jsonObject,
    error: z.string().nullable(),
  })
  .openapi('LangGraphThread');

export const LangGraphRunWait = z
  .strictObject({
    assistant_id: z.string().min(1).max(200),
    input: z.unknown().optional(),
    metadata: jsonObject.optional(),
    command: z.unknown().optional(),
    checkpoint: z.unknown().optional(),
    checkpoint_id: z.string().optional(),
    webhook: z.string().optional(),
    strict_resume: z.boolean().optional(),
    on_completion: z.enum(['delete', 'keep']).optional(),
    on_disconnect: z.enum(['cancel', 'continue']).optional(),
    after_seconds: z.number().optional(),
    if_not_exists: z.enum(['create', 'reject']).optional(),
    langsmith_tracer: z.unknown().optional(),
    ...keptRunFields,
  })
  .openapi('LangGraphRunWait');

/** The fields of LangGraph's Run, the only names `select` accepts. */
const runFields = [
  'run_id',
  'thread_id',
  'assistant_id',
  'created_at',
  'updated_at',
  'status',
  'metadata',
  'multitask_strategy',
  'kwargs',
] as const;

export const LangGraphRunListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(10),
  offset: z.coerce.number().int().min(0).default(0),
  status: z.enum(['pending', 'running', 'error', 'success', 'timeout', 'interrupted']).optional(),
  select: z.union([z.enum(runFields), z.array(z.enum(runFields))]).optional(),
});

export const LangGraphRun = z
  .object({
    run_id: z.string(),
    thread_id: z.string().nullable(),
    assistant_id: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
    status: z.enum(['pending', 'running', 'error', 'success', 'timeout', 'interrupted']),
    metadata: jsonObject,
    multitask_strategy: z.string().nullable(),
    kwargs: jsonObject,
  })
  .openapi('LangGraphRun');

export const LangGraphInfo = z
  .object({
    version: z.string(),
    flags: z.object({ assistants: z.boolean(), crons: z.boolean(), langsmith: z.boolean() }),
    host: z.unknown().nullable(),
  })
  .openapi('LangGraphInfo');

export type LangGraphCron = z.infer<typeof LangGraphCron>;

export const LangGraphAssistantUpdate = z
  .strictObject({
    graph_id: z.string().min(1).max(200).optional().openapi({ description: 'Must be the current graph' }),
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(4000).nullable().optional(),
    metadata: jsonObject.optional().openapi({ description: 'Merged into the current metadata' }),
    config: jsonObject.optional().openapi({ description: 'Replaces the LangGraph config' }),
    context: jsonObject.optional().openapi({ description: 'Replaces the LangGraph context' }),
  })
  .openapi('LangGraphAssistantUpdate');

export const LangGraphAssistantCount = z
  .strictObject({
    graph_id: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    metadata: jsonObject.optional(),
  })
  .openapi('LangGraphAssistantCount');

export const LangGraphAssistantVersions = z
  .strictObject({
    metadata: jsonObject.optional(),
    limit: z.number().int().min(1).max(1000).default(10),
    offset: z.number().int().min(0).default(0),
  })
  .openapi('LangGraphAssistantVersions');

export const LangGraphSetLatest = z.strictObject({ version: z.number().int().min(1) }).openapi('LangGraphSetLatest');

export const LangGraphAssistantDeleteQuery = z.object({
  delete_threads: z.enum(['true', 'false']).optional().openapi({ description: "Also delete the assistant's threads" }),
});

const threadStatus = z.enum(['idle', 'busy', 'interrupted', 'error']);
const threadFields = [
  'thread_id',
  'created_at',
  'updated_at',
  'state_updated_at',
  'metadata',
  'status',
  'values',
  'interrupts',
  'config',
  'error',
] as const;

export const LangGraphThreadSearch = z
  .strictObject({
    metadata: jsonObject.optional().openapi({ description: 'Every key equals (containment)' }),
    ids: z.array(z.uuid()).max(1000).optional(),
    status: threadStatus.optional(),
    values: jsonObject.optional().openapi({ description: 'Not supported unless empty (threads keep messages)' }),
    extract: jsonObject.optional().openapi({ description: 'Not supported unless empty' }),
    limit: z.number().int().min(1).max(1000).default(10),
    offset: z.number().int().min(0).default(0),
    sort_by: z.enum(['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at']).default('created_at'),
    sort_order: z.enum(['asc', 'desc']).default('desc'),
    select: z.array(z.enum(threadFields)).min(1).optional(),
  })
  .openapi('LangGraphThreadSearch');

export const LangGraphThreadCount = z
  .strictObject({
    metadata: jsonObject.optional(),
    values: jsonObject.optional(),
    status: threadStatus.optional(),
  })
  .openapi('LangGraphThreadCount');

export const LangGraphThreadUpdate = z
  .strictObject({
    metadata: jsonObject.optional().openapi({ description: 'Merged into the current metadata' }),
    ttl: z.unknown().optional(),
  })
  .openapi('LangGraphThreadUpdate');

export const LangGraphThreadState = z
  .object({
    values: jsonObject,
    next: z.array(z.string()),
    checkpoint: jsonObject,
    metadata: jsonObject,
    created_at: Timestamp.nullable(),
    parent_checkpoint: jsonObject.nullable(),
    tasks: z.array(z.unknown()),
    interrupts: z.array(z.unknown()),
  })
  .openapi('LangGraphThreadState');

export const LangGraphRunCreate = LangGraphRunWait.extend({ feedback_keys: z.array(z.string()).optional() }).openapi(
  'LangGraphRunCreate',
);

export const RunParams = z.object({
  thread_id: ThreadParams.shape.thread_id,
  run_id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'run_id', in: 'path' } }),
});
export const StatelessRunParams = z.object({ run_id: RunParams.shape.run_id });

const flag = z.enum(['0', '1', 'true', 'false']).optional();

export const LangGraphCancelQuery = z.object({
  wait: flag.openapi({ description: 'Answer once the run has ended' }),
  action: z.enum(['interrupt', 'rollback']).default('interrupt'),
  reason: z.string().max(200).optional(),
});

export const LangGraphJoinQuery = z.object({ cancel_on_disconnect: flag });

export const LangGraphJoinStreamQuery = z.object({
  cancel_on_disconnect: flag,
  stream_mode: z.union([z.string(), z.array(z.string())]).optional(),
  namespace: z.union([z.string(), z.array(z.string())]).optional(),
  checkpoint_id: z.string().optional(),
});
