/**
 * Kairos as a library: what config files and embedding code import.
 *
 * @example
 * // kairos.config.ts
 * import { defineAssistant, defineSchedule } from 'kairos';
 * export default {
 *   assistants: [defineAssistant({ id: 'hello', name: 'Hello', run: (input) => ({ hello: input }) })],
 *   schedules: [defineSchedule({ name: 'hourly-hello', assistant: 'hello', schedule: '0 * * * *' })],
 * };
 */
export { defineAssistant } from './agents/define-assistant.ts';
export { defineSchedule } from './scheduler/define-schedule.ts';
export type { ScheduleDeclaration } from './scheduler/define-schedule.ts';
export type { AssistantDefinition, ModuleRunContext } from './agents/define-assistant.ts';
export { RunFailure } from './runs/run-failure.ts';
export type { FailureKind, Trigger } from './runs/run-status.ts';
export type { RunResult, ThreadMessage } from './agents/runtime.ts';
export { condition, defineWorkflow, loop, parallel, router, step, wait } from './workflows/define-workflow.ts';
export type { DeclaredWorkflow, StepFunction } from './workflows/define-workflow.ts';
export type { WorkflowDefinition, WorkflowNode } from './workflows/workflow-definition.ts';
