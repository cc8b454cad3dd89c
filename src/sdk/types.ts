/**
 * Types of the API's answers that the client's methods do not name but that readers of them need
 * (a run's status, a workflow run's step tree, a preview's DST effect, a test call's exchanges).
 * The dashboard imports these and the client's types instead of copying them.
 */
import type { z } from '@hono/zod-openapi';
import type { AgentExchange as AgentExchangeSchema } from '../api/schemas/assistant-test-calls.ts';
import type { Run, RunStep as RunStepSchema } from '../api/schemas/runs.ts';
import type { DstTransitionEffect as DstTransitionEffectSchema, Schedule } from '../api/schemas/schedules.ts';

export type { TestCallDraft, TestCallResult, TestCallSaved } from '../api/schemas/assistant-test-calls.ts';
export type { RunEvent } from '../api/schemas/runs.ts';
export type { Precheck, PrecheckTestRequest, PrecheckTestResult } from '../api/schemas/prechecks.ts';

/** `pending`, `running`, `success`, `error`, `timeout`, `cancelled` or `skipped`. */
export type RunStatus = Run['status'];
/** Why a run did not succeed (`timeout`, `assistant_error`, `capacity`, …). */
export type FailureKind = NonNullable<Run['error_kind']>;
/** What started a run: `schedule`, `manual`, `api`, `retry`, `backfill` or `event`. */
export type RunTrigger = Run['trigger'];
/** One node of a workflow run; `children` holds the nodes inside it. */
export type RunStep = Omit<z.infer<typeof RunStepSchema>, 'children'> & { children: RunStep[] };
/** What the zone's next offset change does to a cron schedule (a preview's `dst`). */
export type DstTransitionEffect = z.infer<typeof DstTransitionEffectSchema>;
/** One request a test call sent and its answer (secrets shown as [redacted]). */
export type AgentExchange = z.infer<typeof AgentExchangeSchema>;
/** A schedule's DST policy as given (null keeps the Vixie rules). */
export type DstPolicy = NonNullable<Schedule['dst']>;
/** When a schedule fires, as given to create or preview it: one of `cron`, `at`, `every`, and `timezone`. */
export type ScheduleSpec = Exclude<import('../api/schemas/schedules.ts').ScheduleCreate['schedule'], string>;
/** What an assistant reported using (`usage` of a run; absent fields were not reported). */
export interface RunUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  model?: string;
}
/** What an overlapping occurrence does: `skip`, `queue`, `allow` or `cancel_previous`. */
export type Overlap = Schedule['overlap'];
/** What a late occurrence does: `skip`, `run_once` or `run_all`. */
export type Misfire = Schedule['misfire'];
/** How a trigger's deliveries authenticate (`auth` of a trigger; secrets are named by variable, never shown). */
export interface TriggerAuth {
  type: 'hmac-sha256' | 'bearer';
  header?: string;
  format?: string;
  secret?: { env: string };
  token?: { env: string };
}

/** `http`, `llm`, `module`, `agentos`, `langgraph` or `a2a`. */
export type AssistantKind = import('../api/schemas/assistants.ts').Assistant['kind'];
/** `new` (a fresh thread per run) or `persistent` (one thread for every run). */
export type SessionMode = Schedule['session_mode'];

/**
 * A node of a workflow definition as stored. The API describes nodes loosely (the server validates
 * each one); these are the fields every reader may look at.
 */
export interface WorkflowNode {
  type: 'step' | 'parallel' | 'loop' | 'router' | 'condition' | string;
  name: string;
  assistant_id?: string;
  module?: string;
  workflow_id?: string;
  input?: unknown;
  timeout?: number;
  skip_on_failure?: boolean;
  fail_fast?: boolean;
  end_condition?: string;
  max_iterations?: number;
  selector?: string;
  evaluator?: string;
  steps?: WorkflowNode[];
  else_steps?: WorkflowNode[];
  choices?: WorkflowNode[];
  [key: string]: unknown;
}
/** Spend against one day or month budget of a schedule's runs (`budgets` of its usage; docs/gates.md). */
export type BudgetSpend = import('../api/schemas/usage.ts').ScheduleUsage['budgets'][number];
