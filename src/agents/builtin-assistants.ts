import { localAdminId } from '../auth/actor.ts';
import { upsertBuiltInAssistant } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { kairosDigestAssistant, kairosDigestModuleId } from './builtin/kairos-digest.ts';
import type { AssistantDefinition } from './define-assistant.ts';
import type { Assistant } from './runtime.ts';

/** The fixed id of the built-in `kairos-digest` assistant (graph id `kairos-digest` too). */
export const kairosDigestAssistantId = '00000000-0000-4000-8000-00000000d1e5';

/** The module assistants Kairos ships; pass them as `builtIns` to loadModuleRegistry. */
export function builtInModules(db: Database): AssistantDefinition[] {
  return [kairosDigestAssistant(db) as AssistantDefinition];
}

/**
 * Creates the built-in assistants, or refreshes their definition, idempotently (safe on every
 * start and from several replicas at once). An admin's choices survive: a built-in set inactive
 * stays inactive. Returns them.
 */
export async function ensureBuiltInAssistants(db: Database): Promise<Assistant[]> {
  const digest = await upsertBuiltInAssistant(db, {
    id: kairosDigestAssistantId,
    ownerId: localAdminId,
    name: 'Kairos digest',
    description:
      "Reports the last day's runs: counts by status, failures, slowest runs. Built in; needs no network or API key.",
    kind: 'module',
    config: { module: kairosDigestModuleId },
    graphId: kairosDigestModuleId,
    metadata: { created_by: 'system' },
  });
  return [digest];
}
