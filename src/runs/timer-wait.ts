/** What a sleep or until node receives when it wakes. */
export interface Woke {
  woke_at: string;
}

export function wokeResult(at: Date): Woke {
  return { woke_at: at.toISOString() };
}

/**
 * The instant an `until` names: an ISO time with its offset (`2026-12-24T09:00:00Z`). Undefined
 * when the text is not one (a date without a zone would depend on the server's).
 */
export function parseUntil(text: string): Date | undefined {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) return undefined;
  const at = new Date(trimmed);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
