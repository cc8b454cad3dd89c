/**
 * Ready-to-paste configurations that connect an agent to this server's scheduler tools. The key
 * is never filled in (the dashboard does not echo secrets): each snippet names where it goes.
 */
export interface AgentSnippet {
  id: string;
  title: string;
  /** Where the snippet goes. */
  where: string;
  code: string;
}

const keyPlaceholder = '<your Kairos API key>';

/**
 * `cliPath`: the server's bin/kairos.js when it told us (`/healthz` on a loopback server);
 * otherwise a placeholder to replace.
 */
export function agentSnippets(origin: string, localMode: boolean, cliPath?: string): AgentSnippet[] {
  const mcpUrl = `${origin}/mcp`;
  const keyEnv = localMode ? {} : { KAIROS_API_KEY: keyPlaceholder };
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: 'claude-desktop',
      title: 'Claude Desktop',
      where:
        'claude_desktop_config.json (Settings → Developer → Edit Config); restart Claude afterwards. Claude starts kairos mcp on stdio, which calls this server.',
      code: json({
        mcpServers: {
          kairos: {
            command: 'node',
            args: [cliPath ?? '/path/to/kairos/bin/kairos.js', 'mcp'],
            env: { KAIROS_URL: origin, ...keyEnv },
          },
        },
      }),
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where:
        '~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project). Cursor speaks Streamable HTTP to /mcp directly.',
      code: json({
        mcpServers: {
          kairos: { url: mcpUrl, ...(localMode ? {} : { headers: { Authorization: 'Bearer ${env:KAIROS_API_KEY}' } }) },
        },
      }),
    },
    {
      id: 'sdk',
      title: 'Any MCP-capable agent (TypeScript SDK)',
      where: 'Your agent, with @modelcontextprotocol/sdk.',
      code: [
        "import { Client } from '@modelcontextprotocol/sdk/client/index.js';",
        "import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';",
        '',
        "const client = new Client({ name: 'my-agent', version: '1.0.0' });",
        `await client.connect(new StreamableHTTPClientTransport(new URL('${mcpUrl}'), {`,
        localMode
          ? '  // local mode: no key needed'
          : '  requestInit: { headers: { Authorization: `Bearer ${process.env.KAIROS_API_KEY}` } },',
        '}));',
        'const { tools } = await client.listTools();',
      ].join('\n'),
    },
    {
      id: 'functions',
      title: 'Function calling (OpenAI-style tools)',
      where: 'Any framework: fetch the schemas, pass them as tools, execute each call with POST.',
      code: [
        `curl -s ${origin}/api/v1/tools${localMode ? '' : ' -H "Authorization: Bearer $KAIROS_API_KEY"'}`,
        `curl -s -X POST ${origin}/api/v1/tools/preview_schedule${localMode ? '' : ' -H "Authorization: Bearer $KAIROS_API_KEY"'} \\`,
        `  -H 'content-type: application/json' -d '{"schedule": {"cron": "0 9 * * 1-5", "timezone": "America/New_York"}}'`,
      ].join('\n'),
    },
  ];
}
