import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Command } from 'commander';
import { createAgents } from '../agents/create-agents.ts';
import { Authenticator } from '../auth/authenticator.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { ScheduleService } from '../scheduler/schedule-service.ts';
import { KairosApiError } from '../sdk/errors.ts';
import type { Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { openDatabase } from '../store/open-database.ts';
import { callTool } from '../tools/call-tool.ts';
import { createMcpServer, type ToolCaller } from '../tools/mcp-server.ts';
import { RunService } from '../worker/run-service.ts';
import { WorkflowService } from '../workflows/workflow-service.ts';
import { WaitService } from '../runs/wait-service.ts';
import { connectionOptions, sdkClient, usesServer, type ConnectionOptions } from './connection.ts';

/** Tool calls through a Kairos server's `POST /api/v1/tools/{name}`, as the key's user. */
function remoteCaller(options: ConnectionOptions): ToolCaller {
  const client = sdkClient(options);
  return async (name, args) => {
    try {
      return { ok: true, value: await client.tools.call(name, (args ?? {}) as Record<string, unknown>) };
    } catch (error) {
      if (!(error instanceof KairosApiError)) throw error;
      const body = {
        code: error.code,
        message: error.message,
        ...(error.details !== undefined && { details: error.details }),
      };
      return { ok: false, status: error.status, value: { error: body } };
    }
  };
}

/**
 * Tool calls on the database directly, as the user of KAIROS_API_KEY; with no keys in the
 * database, as the local admin (local mode, as a loopback server would).
 */
async function databaseCaller(
  options: ConnectionOptions,
  logger: Logger,
): Promise<{ call: ToolCaller; close: () => Promise<void> }> {
  const config = loadConfig();
  const db: Database = await openDatabase(config.database);
  try {
    await migrate(db);
    const { actor } = await new Authenticator(db, { loopback: true }).authenticate(
      options.apiKey ?? process.env.KAIROS_API_KEY,
    );
    const agents = await createAgents({ db, logger, config, ensureBuiltIns: false });
    const schedules = new ScheduleService({
      db,
      clock: systemClock,
      config: config.scheduler,
      startDeadlineMs: config.worker.startDeadlineMs,
      assistants: agents.assistants,
    });
    const runs = new RunService({
      db,
      clock: systemClock,
      startDeadlineMs: config.worker.startDeadlineMs,
      assistants: agents.assistants,
    });
    const workflows = new WorkflowService({
      db,
      clock: systemClock,
      assistants: agents.assistants,
      registry: agents.registry,
      startDeadlineMs: config.worker.startDeadlineMs,
    });
    const waits = new WaitService({ db, clock: systemClock });
    const services = { schedules, runs, assistants: agents.assistants, workflows, waits };
    return {
      call: (name, args) => callTool(name, args, { actor, services }, logger),
      close: async () => {
        await runs.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * `kairos mcp`: the scheduler tools as an MCP server on stdin/stdout, for desktop clients (Claude
 * Desktop, Cursor). Against KAIROS_URL when set (or `--url`), otherwise on the database directly
 * like the offline commands. Logs go to stderr: stdout carries the protocol.
 */
export function mcpCommand(): Command {
  return new Command('mcp')
    .description(
      'serve the scheduler tools over MCP on stdio, acting as the user of KAIROS_API_KEY (against KAIROS_URL, or on the database)',
    )
    .action(async (_options: unknown, command: Command) => {
      const options = connectionOptions(command);
      const logger = createLogger(process.env.KAIROS_LOG_LEVEL ?? 'warn', process.stderr);
      const remote = usesServer(options);
      const backend = remote
        ? { call: remoteCaller(options), close: () => Promise.resolve() }
        : await databaseCaller(options, logger);
      const server = createMcpServer(backend.call);
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = resolve;
        process.stdin.once('end', resolve);
      });
      await server.connect(transport);
      logger.info({ mode: remote ? 'server' : 'database' }, 'kairos mcp: serving the scheduler tools on stdio');
      await closed;
      await server.close();
      await backend.close();
    });
}
