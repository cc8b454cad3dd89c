import type { Context } from 'hono';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { KairosError, invalid } from '../../errors.ts';
import { approvalLinkPath, type ApprovalLinks } from '../../waits/approval-links.ts';
import { approvalDecidedPage, approvalErrorPage, approvalPage, approvalPageHeaders } from '../approval-page.ts';
import { json } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ErrorResponse } from '../schemas/common.ts';
import { ApprovalLinkDecision, ApprovalLinkView } from '../schemas/waits.ts';

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

const error = (description: string) => json(ErrorResponse, description);
const params = z.object({ token: z.string().openapi({ description: 'The signed token of the link' }) });
const linkErrors = {
  404: error('A tampered, foreign or unknown token (`approval_link_not_found`); nothing about the run'),
  410: error('The link expired with its wait (`approval_link_expired`)'),
};

/** The link routes as the OpenAPI document shows them (no API key: the token is the credential). */
export const approvalLinkRoutes = {
  show: createRoute({
    method: 'get',
    path: '/approvals/{token}',
    tags: ['approvals'],
    summary: 'Show an approval through its signed link (an HTML page; JSON with Accept: application/json)',
    request: { params },
    responses: {
      200: {
        description: 'The approval: its page, or JSON',
        content: { 'application/json': { schema: ApprovalLinkView }, 'text/html': { schema: z.string() } },
      },
      ...linkErrors,
    },
  }),
  decide: createRoute({
    method: 'post',
    path: '/approvals/{token}',
    tags: ['approvals'],
    summary: 'Decide an approval through its signed link (a form post or JSON), once',
    request: {
      params,
      body: {
        required: true,
        content: {
          'application/json': { schema: ApprovalLinkDecision },
          'application/x-www-form-urlencoded': {
            schema: z.object({ decision: z.enum(['approve', 'reject']), comment: z.string().max(10_000).optional() }),
          },
        },
      },
    },
    responses: {
      200: json(ApprovalLinkView, 'Decided (a form post answers an HTML page)'),
      409: error(
        'Decided already, by link, API or timeout (`already_decided`), or the run no longer waits (`not_waiting`)',
      ),
      422: error('A bad body (`invalid_request`, naming `approved`, `comment` or `decision`)'),
      ...linkErrors,
    },
  }),
};

/**
 * Signed one-time approval links (docs/waits.md): `GET /approvals/{token}` shows the approval (an
 * HTML page, or JSON with `Accept: application/json`), `POST /approvals/{token}` decides it (a
 * form post with `decision=approve|reject` and `comment`, or JSON `{approved, comment?}`). No API
 * key: the token is the credential.
 */
export function registerApprovalLinkRoutes(app: OpenAPIHono<ApiEnv>, links: ApprovalLinks): void {
  // Documented here, answered by the plain handlers below (HTML or JSON, form or JSON bodies).
  app.openAPIRegistry.registerPath(approvalLinkRoutes.show);
  app.openAPIRegistry.registerPath(approvalLinkRoutes.decide);
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
