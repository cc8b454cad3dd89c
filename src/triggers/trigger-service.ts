import { z } from 'zod';
import type { AssistantService } from '../agents/assistant-service.ts';
import { assertCanWrite, canSee, type Actor } from '../auth/actor.ts';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { KairosError, invalid, notFound } from '../errors.ts';
import { runnableAssistant } from '../auth/access.ts';
import type { Database } from '../store/database.ts';
import { deliverySummaries, listDeliveries } from '../store/trigger-deliveries.ts';
import {
  deleteTrigger,
  findTrigger,
  insertTrigger,
  listTriggers,
  updateTrigger,
  type TriggerColumns,
  type TriggerRow,
} from '../store/triggers.ts';
import { debounceColumns } from './debounce-config.ts';
import { eventTemplateProblems } from './event-template.ts';
import {
  deliveryListSchema,
  parseTriggerInput,
  triggerCreateSchema,
  triggerListSchema,
  triggerUpdateSchema,
  type DeliveryListInput,
  type TriggerCreateInput,
  type TriggerListInput,
  type TriggerUpdateInput,
} from './trigger-input.ts';
import type { WorkflowService } from '../workflows/workflow-service.ts';
import { PrecheckService } from '../gates/precheck-service.ts';
import {
  toDeliveryResource,
  toTriggerResource,
  type DeliveryResource,
  type TriggerResource,
} from './trigger-resource.ts';

export interface TriggerServiceOptions {
  db: Database;
  assistants: Pick<AssistantService, 'assertRunnable'>;
  /** Checks a workflow target (`workflow_id`): visible to the actor and active. */
  workflows: Pick<WorkflowService, 'runnable'>;
  /** KAIROS_PUBLIC_URL: makes trigger URLs absolute. */
  publicUrl?: string | undefined;
  /** Where the secrets' variables are read (`ready`); the process environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Checks a trigger's `precheck` (CEL, timeout, address guard); the environment's guard when absent. */
  prechecks?: Pick<PrecheckService, 'validate'>;
}

/**
 * Inbound triggers: create, read, list, update, delete, and their delivery history. Deliveries
 * themselves are received by {@link DeliveryService}. Every method takes the calling actor:
 * admins see every trigger, others only their own (another user's trigger is `not_found`).
 *
 * @example
 * const trigger = await kairos.triggers.create(actor, {
 *   name: 'github-push', assistant_id,
 *   auth: { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'GITHUB_HOOK_SECRET' } },
 *   input_template: { repo: '{{event.body.repository.full_name}}', commits: '{{event.body.commits}}' },
 * });
 * trigger.url // '/hooks/6f1c…'
 */
export class TriggerService {
  private readonly prechecks: Pick<PrecheckService, 'validate'>;

  constructor(private readonly options: TriggerServiceOptions) {
    this.prechecks = options.prechecks ?? new PrecheckService({ db: options.db });
  }

  async create(actor: Actor, body: TriggerCreateInput): Promise<TriggerResource> {
    assertCanWrite(actor, 'create triggers');
    const input = parseTriggerInput(triggerCreateSchema, body);
    checkTemplate(input.input_template);
    await this.prechecks.validate(input.precheck);
    const target = await this.target(actor, input.assistant_id, input.workflow_id);
    const columns: TriggerColumns = {
      name: input.name,
      ...target,
      input_template: input.input_template ?? null,
      auth: input.auth,
      delivery_header: input.delivery_header ?? null,
      overlap: input.overlap,
      max_concurrent: input.max_concurrent,
      timeout_ms: input.timeout === null ? null : Math.round(input.timeout * 1000),
      rate_limit_max: input.rate_limit?.max ?? null,
      rate_limit_ms: input.rate_limit ? input.rate_limit.per_s * 1000 : null,
      ...debounceColumns(input.debounce),
      enabled: input.enabled,
      metadata: input.metadata,
      concurrency: input.concurrency ?? null,
      priority: input.priority,
      precheck: input.precheck ?? null,
    };
    try {
      return this.resource(await insertTrigger(this.options.db, actor.userId, columns));
    } catch (error) {
      throw nameTaken(error, input.name);
    }
  }

  async get(actor: Actor, id: string): Promise<TriggerResource> {
    return this.resource(await this.visible(actor, id));
  }

  async list(actor: Actor, filters: TriggerListInput = {}): Promise<{ items: TriggerResource[]; total: number }> {
    const input = parseTriggerInput(triggerListSchema, filters);
    const ownerId = actor.role === 'admin' ? input.owner_id : actor.userId;
    const { rows, total } = await listTriggers(this.options.db, {
      ...(ownerId && { ownerId }),
      ...(input.assistant_id && { assistantId: input.assistant_id }),
      ...(input.workflow_id && { workflowId: input.workflow_id }),
      ...(input.enabled !== undefined && { enabled: input.enabled }),
      limit: input.limit,
      offset: input.offset,
    });
    const summaries = await deliverySummaries(
      this.options.db,
      rows.map((row) => row.id),
    );
    return {
      items: rows.map((row) => toTriggerResource(row, summaries.get(row.id), this.options.publicUrl, this.options.env)),
      total,
    };
  }

  async update(actor: Actor, id: string, body: TriggerUpdateInput): Promise<TriggerResource> {
    assertCanWrite(actor, 'change triggers');
    const input = parseTriggerInput(triggerUpdateSchema, body);
    const row = await this.visible(actor, id);
    if (input.input_template !== undefined) checkTemplate(input.input_template);
    const debounce = input.debounce === undefined ? undefined : debounceColumns(input.debounce);
    await this.prechecks.validate(input.precheck);
    if (input.assistant_id !== undefined && input.workflow_id !== undefined) {
      throw invalid('assistant_id', 'give at most one of assistant_id and workflow_id: what each delivery runs');
    }
    const columns: Partial<TriggerColumns> = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.input_template !== undefined && { input_template: input.input_template }),
      ...(input.auth !== undefined && { auth: input.auth }),
      ...(input.delivery_header !== undefined && { delivery_header: input.delivery_header }),
      ...(input.overlap !== undefined && { overlap: input.overlap }),
      ...(input.max_concurrent !== undefined && { max_concurrent: input.max_concurrent }),
      ...(input.precheck !== undefined && { precheck: input.precheck }),
      ...(input.timeout !== undefined && {
        timeout_ms: input.timeout === null ? null : Math.round(input.timeout * 1000),
      }),
      ...(input.rate_limit !== undefined && {
        rate_limit_max: input.rate_limit?.max ?? null,
        rate_limit_ms: input.rate_limit ? input.rate_limit.per_s * 1000 : null,
      }),
      ...debounce,
      ...(input.enabled !== undefined && { enabled: input.enabled }),
      ...(input.metadata !== undefined && { metadata: input.metadata }),
      ...(input.concurrency !== undefined && { concurrency: input.concurrency }),
      ...(input.priority !== undefined && { priority: input.priority }),
    };
    if (input.assistant_id !== undefined || input.workflow_id !== undefined) {
      Object.assign(columns, await this.target(actor, input.assistant_id, input.workflow_id));
    }
    try {
      const updated = await updateTrigger(this.options.db, row.id, columns);
      if (!updated) throw notFound('trigger', id);
      return this.resource(updated);
    } catch (error) {
      throw nameTaken(error, input.name ?? row.name);
    }
  }

  /** Deletes the trigger and its delivery history; its runs stay (their trigger_id is cleared). */
  async delete(actor: Actor, id: string): Promise<void> {
    assertCanWrite(actor, 'delete triggers');
    const row = await this.visible(actor, id);
    await deleteTrigger(this.options.db, row.id);
  }

  /** The trigger's deliveries, newest first, accepted and refused, with their reason and run. */
  async deliveries(
    actor: Actor,
    id: string,
    filters: DeliveryListInput = {},
  ): Promise<{ items: DeliveryResource[]; total: number }> {
    const input = parseTriggerInput(deliveryListSchema, filters);
    const row = await this.visible(actor, id);
    const { rows, total } = await listDeliveries(this.options.db, {
      triggerId: row.id,
      ...(input.outcome && { outcome: input.outcome }),
      limit: input.limit,
      offset: input.offset,
    });
    return { items: rows.map(toDeliveryResource), total };
  }

  private async resource(row: TriggerRow): Promise<TriggerResource> {
    const summaries = await deliverySummaries(this.options.db, [row.id]);
    return toTriggerResource(row, summaries.get(row.id), this.options.publicUrl, this.options.env);
  }

  private async target(
    actor: Actor,
    assistantId: string | undefined,
    workflowId: string | undefined,
  ): Promise<Pick<TriggerColumns, 'target_kind' | 'assistant_id' | 'workflow_id'>> {
    if (workflowId !== undefined) {
      const workflow = await this.options.workflows.runnable(actor, workflowId);
      return { target_kind: 'workflow', assistant_id: null, workflow_id: workflow.id };
    }
    const assistant = await runnableAssistant(this.options.assistants, actor, assistantId!);
    return { target_kind: 'assistant', assistant_id: assistant.id, workflow_id: null };
  }

  private async visible(actor: Actor, id: string): Promise<TriggerRow> {
    const row = z.uuid().safeParse(id).success ? await findTrigger(this.options.db, id) : undefined;
    if (!row || !canSee(actor, row.owner_id)) throw notFound('trigger', id);
    return row;
  }
}

function checkTemplate(template: unknown): void {
  const [problem] = eventTemplateProblems(template);
  if (problem) {
    throw invalid(problem.path, `{{${problem.variable}}} ${problem.problem}`, { variable: problem.variable });
  }
}

function nameTaken(error: unknown, name: string): unknown {
  if (!isUniqueViolation(error)) return error;
  return new KairosError('name_taken', `you already have a trigger named "${name}": choose another name`, {
    status: 409,
    details: { field: 'name', name },
  });
}
