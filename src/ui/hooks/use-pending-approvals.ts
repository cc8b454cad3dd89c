import { approvalsApi } from '../api/approvals.ts';
import { usePoll } from './use-poll.ts';

/** How many approvals wait for the caller (the navigation's badge); polled, and refreshed on every action. */
export function usePendingApprovalCount(enabled: boolean): number | undefined {
  const poll = usePoll(
    (signal) => (enabled ? approvalsApi.pending({ limit: 1, offset: 0 }, signal) : Promise.resolve(undefined)),
    [enabled],
    10_000,
  );
  return poll.data?.total;
}
