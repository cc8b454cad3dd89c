import type { Assistant } from '../agents/runtime.ts';
import type { Queryable } from './database.ts';

interface AssistantRow {
  id: string;
  owner_id: string;
  name: string;
  kind: Assistant['kind'];
  config: Record<string, unknown>;
  status: Assistant['status'];
  graph_id: string | null;
}

function toAssistant(row: AssistantRow): Assistant {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    kind: row.kind,
    config: row.config,
    status: row.status,
    graphId: row.graph_id,
  };
}

export interface NewAssistant {
  ownerId: string;
  name: string;
  kind: Assistant['kind'];
  config?: Record<string, unknown>;
  status?: Assistant['status'];
  graphId?: string | null;
}

export async function insertAssistant(db: Queryable, input: NewAssistant): Promise<Assistant> {
  const { rows } = await db.query<AssistantRow>(
    `INSERT INTO assistants (owner_id, name, kind, config, status, graph_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [input.ownerId, input.name, input.kind, JSON.stringify(input.config ?? {}), input.status ?? 'active', input.graphId ?? null],
  );
  return toAssistant(rows[0]!);
}

export async function findAssistant(db: Queryable, id: string): Promise<Assistant | undefined> {
  const { rows } = await db.query<AssistantRow>('SELECT * FROM assistants WHERE id = $1', [id]);
  return rows[0] && toAssistant(rows[0]);
}
