import { KairosError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** What a tool call answers: its JSON result, or the API's error shape (never a thrown error). */
export type ToolResult = { ok: true; value: unknown } | { ok: false; status: number; value: ToolErrorResult };

/** The error a model sees: the API's `{"error": {"code", "message", "details"}}`. */
export interface ToolErrorResult {
  error: { code: string; message: string; details?: unknown };
}

/** A thrown error as a tool result: KairosErrors as they are; anything else as `internal`, logged, not shown. */
export function toolErrorOf(error: unknown, logger?: Logger): { status: number; value: ToolErrorResult } {
  if (error instanceof KairosError) {
    const body = {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined && { details: error.details }),
    };
    return { status: error.status, value: { error: body } };
  }
  logger?.error({ err: error }, 'a scheduler tool failed unexpectedly');
  return {
    status: 500,
    value: { error: { code: 'internal', message: 'internal error; the server log has the details' } },
  };
}
