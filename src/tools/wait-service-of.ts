import { KairosError } from '../errors.ts';
import type { WaitService } from '../waits/wait-service.ts';
import type { ToolContext } from './tool-definition.ts';

/** The decisions-and-events service, or `waits_unavailable` where it is not served. */
export function waitServiceOf(context: ToolContext): WaitService {
  const service = context.services.waits;
  if (!service) throw new KairosError('waits_unavailable', 'approvals and events are not served here', { status: 404 });
  return service;
}
