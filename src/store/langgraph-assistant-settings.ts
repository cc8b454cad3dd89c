import type { Queryable } from './database.ts';

/** LangGraph's `config` and `context` of one assistant (empty objects when never set). */
export interface LangGraphAssistantSettings {
  config: Record<string, unknown>;
  context: Record<string, unknown>;
}

const empty = (): LangGraphAssistantSettings => ({ config: {}, context: {} });

/** The settings of each of `assistantIds` (missing ones are empty). */
export async function findLangGraphSettings(
  db: Queryable,
  assistantIds: readonly string[],
): Promise<Map<string, LangGraphAssistantSettings>> {
  const found = new Map<string, LangGraphAssistantSettings>();
  if (assistantIds.length > 0) {
    const { rows } = await db.query<{ assistant_id: string } & LangGraphAssistantSettings>(
      'SELECT assistant_id, config, context FROM langgraph_assistant_settings WHERE assistant_id = ANY($1::uuid[])',
      [assistantIds],
    );
    for (const row of rows) found.set(row.assistant_id, { config: row.config, context: row.context });
  }
  for (const id of assistantIds) if (!found.has(id)) found.set(id, empty());
  return found;
}

/** Replaces the given parts of an assistant's settings (the others stay). */
export async function saveLangGraphSettings(
  db: Queryable,
  assistantId: string,
  settings: Partial<LangGraphAssistantSettings>,
): Promise<LangGraphAssistantSettings> {
  const { rows } = await db.query<LangGraphAssistantSettings>(
    `INSERT INTO langgraph_assistant_settings (assistant_id, config, context)
     VALUES ($1, coalesce($2::jsonb, '{}'), coalesce($3::jsonb, '{}'))
     ON CONFLICT (assistant_id) DO UPDATE SET
       config = coalesce($2::jsonb, langgraph_assistant_settings.config),
       context = coalesce($3::jsonb, langgraph_assistant_settings.context),
       updated_at = now()
     RETURNING config, context`,
    [
      assistantId,
      settings.config === undefined ? null : JSON.stringify(settings.config),
      settings.context === undefined ? null : JSON.stringify(settings.context),
    ],
  );
  return rows[0]!;
}
