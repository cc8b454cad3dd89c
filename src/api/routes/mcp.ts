import type { OpenAPIHono } from '@hono/zod-openapi';
import { KairosError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { callTool } from '../../tools/call-tool.ts';
import type { ToolServices } from '../../tools/tool-definition.ts';
import type { ApiEnv } from '../env.ts';

export const mcpPath = '/mcp';

/** The MCP SDK is loaded on the first request, not at start: most replicas never serve /mcp. */
let mcpModules:
  | Promise<
      [
        typeof import('../../tools/mcp-server.ts'),
        typeof import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
      ]
    >
  | undefined;
const loadMcp = () =>
  (mcpModules ??= Promise.all([
    import('../../tools/mcp-server.ts'),
    import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
  ]));

/**
 * A browser page must not drive the tools through a user's local server (DNS rebinding): a request
 * with an Origin is served only when that origin is the server itself.
 */
function assertSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  if (!origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== request.headers.get('host')) {
    throw new KairosError(
      'forbidden_origin',
      `requests from ${origin} may not use ${mcpPath}; MCP clients send no Origin or this server's own`,
      { status: 403 },
    );
  }
}

/**
 * MCP over Streamable HTTP at `/mcp`, behind the API keys. Stateless: every POST builds a server
 * for the caller's actor and answers in JSON, so any replica can serve any request and no session
 * outlives its key. GET (a server-to-client stream) and DELETE (a session) answer 405.
 */
export function registerMcpRoute(app: OpenAPIHono<ApiEnv>, services: ToolServices, logger: Logger): void {
  app.all(mcpPath, async (c) => {
    assertSameOrigin(c.req.raw);
    if (c.req.method !== 'POST') {
      // Stateless: no server-initiated stream to GET and no session to DELETE.
      c.header('allow', 'POST');
      throw new KairosError(
        'method_not_allowed',
        `${c.req.method} ${mcpPath} is not served: this MCP endpoint is stateless, send JSON-RPC messages with POST`,
        { status: 405 },
      );
    }
    const [{ createMcpServer }, { WebStandardStreamableHTTPServerTransport }] = await loadMcp();
    const actor = c.var.actor;
    const server = createMcpServer((name, args) => callTool(name, args, { actor, services }, logger));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
}
