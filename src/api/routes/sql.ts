import type { OpenAPIHono } from '@hono/zod-openapi';
import { readOnlyQuery } from '../../observability/read-only-query.ts';
import type { Database } from '../../store/database.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { SqlAnswer, SqlQuery } from '../schemas/sql.ts';

export const sqlRoutes = {
  query: apiRoute({
    method: 'post',
    path: '/api/v1/sql',
    tags: ['sql'],
    summary: 'Run one read-only SQL query on the Kairos database (admins; docs/data-model.md)',
    request: { body: jsonBody(SqlQuery) },
    responses: { 200: json(SqlAnswer, 'The columns and rows') },
    extraErrors: {
      400: 'Not a single read-only query, a write, or a timeout (`invalid_query`, `read_only`, `query_timeout`)',
      403: "Not an admin (`forbidden`), or the query reaches past Kairos's tables: server files, settings, catalogs, … (`sql_not_allowed`, docs/auth.md)",
      503: 'The connection cannot switch to the read-only role; `details.grant` is what an operator runs once (`sql_console_unavailable`)',
    },
  }),
};

/** `POST /api/v1/sql`: how `kairos sql` reaches the embedded database while the server holds it. */
export function registerSqlRoutes(app: OpenAPIHono<ApiEnv>, db: Database): void {
  app.openapi(sqlRoutes.query, async (c) => {
    const body = c.req.valid('json');
    const answer = await readOnlyQuery(db, c.var.actor, body.query, {
      timeoutMs: body.timeout_ms,
      maxRows: body.max_rows,
    });
    return c.json(answer, 200);
  });
}
