import { api } from './client.ts';
import type { ApprovalList, Run } from '../../sdk/index.ts';

/** The approvals inbox (docs/waits.md): what the caller may decide, and deciding it. */
export const approvalsApi = {
  pending: (query: { limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<ApprovalList>('/api/v1/approvals', { status: 'pending', ...query }, signal),
  decide: (runId: string, decision: { approved: boolean; comment?: string }) =>
    api.post<Run>(`/api/v1/runs/${encodeURIComponent(runId)}/decision`, decision),
};
