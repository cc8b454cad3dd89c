import * as stored from '../store/workflows.ts';
import {
  beginWorkflowRun as beginStoredWorkflowRun,
  type WorkflowRunStart as StoredRunStart,
} from '../store/workflow-runs.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';

/**
 * The store's workflow rows with their definitions typed: the store keeps a definition as JSON
 * and knows nothing of the workflow language, so src/workflows reads the rows through here.
 */
export type WorkflowRow = stored.WorkflowRow<WorkflowDefinition>;
export type WorkflowRunStart = StoredRunStart<WorkflowDefinition>;

export const insertWorkflow = stored.insertWorkflow<WorkflowDefinition>;
export const findWorkflow = stored.findWorkflow<WorkflowDefinition>;
export const findWorkflowByName = stored.findWorkflowByName<WorkflowDefinition>;
export const findWorkflowVersion = stored.findWorkflowVersion<WorkflowDefinition>;
export const listWorkflows = stored.listWorkflows<WorkflowDefinition>;
export const updateWorkflow = stored.updateWorkflow<WorkflowDefinition>;
export const deleteWorkflow = stored.deleteWorkflow;
export const beginWorkflowRun = beginStoredWorkflowRun<WorkflowDefinition>;
