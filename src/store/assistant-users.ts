import type { Queryable } from './database.ts';

/** What uses an assistant: schedules and triggers that fire it, workflows with a step that calls it. */
export interface AssistantUsers {
  schedules: Array<{ id: string; name: string }>;
  triggers: Array<{ id: string; name: string }>;
  workflows: Array<{ id: string; name: string }>;
}

/**
 * The schedules, triggers and workflows that use assistant `id`, after locking its row (`FOR
 * UPDATE`): inside a transaction, a schedule or trigger created for it meanwhile waits for the
 * delete and then fails on the missing assistant instead of being deleted unseen.
 */
export async function lockAssistantUsers(db: Queryable, id: string): Promise<AssistantUsers> {
  await db.query('SELECT id FROM assistants WHERE id = $1 FOR UPDATE', [id]);
  const { rows } = await db.query<{ kind: string; id: string; name: string }>(
    `SELECT 'schedule' AS kind, id::text, name FROM schedules WHERE assistant_id = $1
     UNION ALL
     SELECT 'trigger', id::text, name FROM triggers WHERE assistant_id = $1
     UNION ALL
     SELECT 'workflow', id::text, name FROM workflows
     WHERE jsonb_path_exists(definition, '$.**.assistant_id ? (@ == $id)', jsonb_build_object('id', $1::text))
     ORDER BY 1, 3`,
    [id],
  );
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map(({ id, name }) => ({ id, name }));
  return { schedules: of('schedule'), triggers: of('trigger'), workflows: of('workflow') };
}
