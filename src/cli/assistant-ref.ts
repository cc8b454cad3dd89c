import { KairosError } from '../errors.ts';
import type { Kairos } from '../sdk/client.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `--assistant` as the API wants it: an id as given, or the id of the one assistant you can see
 * with that exact name (case-insensitive when no exact match). Several or none: a 422 naming them.
 */
export async function assistantIdOf(client: Kairos, ref: string): Promise<string> {
  if (uuid.test(ref)) return ref;
  const { data } = await client.assistants.list({ name: ref, limit: 100 });
  const exact = data.filter((assistant) => assistant.name === ref);
  const matches = exact.length > 0 ? exact : data.filter((a) => a.name.toLowerCase() === ref.toLowerCase());
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) {
    throw new KairosError(
      'not_found',
      `--assistant: no assistant named "${ref}"; \`kairos assistants list\` shows yours (give a name or an id)`,
      { status: 404 },
    );
  }
  throw new KairosError(
    'invalid_request',
    `--assistant: ${matches.length} assistants are named "${ref}"; give one's id: ` +
      matches.map((assistant) => assistant.id).join(', '),
    { status: 422 },
  );
}
