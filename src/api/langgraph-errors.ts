import type { MiddlewareHandler } from 'hono';
import { KairosError } from '../errors.ts';
import { errorBody } from './error-handler.ts';
import type { ApiEnv } from './env.ts';

/** The messages Kairos gives an unknown assistant (by id, or by id or graph id). */
const assistantMiss = /^(?:[a-z_]+: )?(?:assistant \S+ was not found|no assistant or graph ".*" was found)/;

/**
 * On the LangGraph-compatible routes, an unknown assistant is answered in LangGraph's words,
 * `No assistant found for "<id>".`, with Kairos's stable code (`not_found`) and details kept.
 */
export const langGraphErrors: MiddlewareHandler<ApiEnv> = async (c, next) => {
  await next();
  const error = c.error;
  if (!(error instanceof KairosError) || error.code !== 'not_found' || !assistantMiss.test(error.message)) return;
  const id = (error.details as { id?: unknown } | undefined)?.id;
  c.res = undefined as unknown as Response;
  c.res = c.json(errorBody('not_found', `No assistant found for "${String(id)}".`, error.details), 404);
};
