import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { KairosError, invalid } from '../../errors.ts';
import { approvalLinkPath, type ApprovalLinks } from '../../waits/approval-links.ts';
import { approvalDecidedPage, approvalErrorPage, approvalPage, approvalPageHeaders } from '../approval-page.ts';
import type { ApiEnv } from '../env.ts';

const maxComment = 10_000;

/** JSON when the caller sent or asked for JSON; the HTML page otherwise (a browser, a form). */
function wantsJson(c: Context): boolean {
  const type = c.req.header('content-type') ?? '';
  const accept = c.req.header('accept') ?? '';
  return /json/i.test(type) || (/json/i.test(accept) && !/text\/html/i.test(accept));
}

async function readDecision(c: Context, json: boolean): Promise<{ approved: boolean; comment: string | null }> {
  if (json) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new KairosError('invalid_json', 'the request body is not valid JSON', { status: 400 });
    }
    const { approved, comment, ...rest } = (body ?? {}) as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw invalid(extra, 'unknown field: send only `approved` and `comment`');
    if (typeof approved !== 'boolean') throw invalid('approved', 'required: true to approve, false to reject');
    if (comment !== undefined && comment !== null && typeof comment !== 'string')
      throw invalid('comment', 'must be a string or null');
    if (typeof comment === 'string' && comment.length > maxComment)
      throw invalid('comment', `must be at most ${maxComment} characters`);
    return { approved, comment: comment ?? null };
  }
  const form = await c.req.parseBody();
  const decision = form.decision;
  if (decision !== 'approve' && decision !== 'reject') throw invalid('decision', 'must be `approve` or `reject`');
  const comment = typeof form.comment === 'string' && form.comment.trim() !== '' ? form.comment : null;
  if (comment !== null && comment.length > maxComment)
    throw invalid('comment', `must be at most ${maxComment} characters`);
  return { approved: decision === 'approve', comment };
}

function htmlError(c: Context, error: unknown): Response {
  if (!(error instanceof KairosError)) throw error;
  return c.html(
    approvalErrorPage(error.code, error.message),
    error.status as ContentfulStatusCode,
    approvalPageHeaders,
  );
}

/**
 * Signed one-time approval links (docs/waits.md): `GET /approvals/{token}` shows the approval (an
 * HTML page, or JSON with `Accept: application/json`), `POST /approvals/{token}` decides it (a
 * form post with `decision=approve|reject` and `comment`, or JSON `{approved, comment?}`). No API
 * key: the token is the credential.
 */
export function registerApprovalLinkRoutes(app: OpenAPIHono<ApiEnv>, links: ApprovalLinks): void {
  app.get('/approvals/:token', async (c) => {
    const token = c.req.param('token');
    if (wantsJson(c)) return c.json(await links.show(token), 200, approvalPageHeaders);
    try {
      return c.html(approvalPage(await links.show(token), approvalLinkPath(token)), 200, approvalPageHeaders);
    } catch (error) {
      return htmlError(c, error);
    }
  });
  app.post('/approvals/:token', async (c) => {
    const token = c.req.param('token');
    const json = wantsJson(c);
    if (json) return c.json(await links.decide(token, await readDecision(c, true)), 200, approvalPageHeaders);
    try {
      return c.html(
        approvalDecidedPage(await links.decide(token, await readDecision(c, false))),
        200,
        approvalPageHeaders,
      );
    } catch (error) {
      return htmlError(c, error);
    }
  });
}
