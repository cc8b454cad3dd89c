import type { RunToExecute } from '../agents/execute-assistant.ts';
import type { ClaimedRun } from './claim-runs.ts';

/** What an executor needs of a claimed run (the assistant and owner preloaded by the claim). */
export function toExecute(run: ClaimedRun): RunToExecute {
  return {
    id: run.id,
    assistantId: run.assistant_id,
    workflowId: run.workflow_id,
    scheduleId: run.schedule_id,
    scheduledFor: run.scheduled_for,
    trigger: run.trigger,
    runNumber: run.run_number,
    attempt: run.attempt,
    ownerId: run.owner_id,
    threadId: run.thread_id,
    sessionMode: run.session_mode,
    onRunCompleted: run.on_run_completed,
    input: run.input,
    preloaded: { assistant: run.assistant, owner: run.owner },
    ...(run.schedule_timezone && { schedule: { name: run.schedule_name ?? '', timezone: run.schedule_timezone } }),
    ...(run.config !== undefined && { config: run.config }),
    ...(run.context !== undefined && { context: run.context }),
    ...(run.fresh_thread && { freshThread: true }),
    ...(run.has_waits && { hasWaits: true }),
    ...(run.tokens_per_run !== null && run.tokens_per_run !== undefined && { tokensPerRun: run.tokens_per_run }),
  };
}
