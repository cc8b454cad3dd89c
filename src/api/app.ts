import { OpenAPIHono } from '@hono/zod-openapi';
import { apiDocsPath } from './api-docs.ts';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { AssistantService } from '../agents/assistant-service.ts';
import type { AssistantTestCalls } from '../agents/assistant-test-call.ts';
import type { ThreadService } from '../agents/thread-service.ts';
import { Authenticator } from '../auth/authenticator.ts';
import { KeyService } from '../auth/key-service.ts';
import { isLoopbackHost } from '../auth/local-mode.ts';
import { UserService } from '../auth/user-service.ts';
import type { Config } from '../config.ts';
import { KairosError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import type { ScheduleService } from '../scheduler/schedule-service.ts';
import type { Database } from '../store/database.ts';
import type { DeliveryService } from '../triggers/delivery-service.ts';
import type { TriggerService } from '../triggers/trigger-service.ts';
import type { RunService } from '../worker/run-service.ts';
import { systemClock } from '../clock.ts';
import { UsageService } from '../observability/usage-service.ts';
import { authMiddleware } from './auth-middleware.ts';
import type { ApiEnv } from './env.ts';
import { errorHandler, notFoundHandler, validationError } from './error-handler.ts';
import { jsonBodyGuard } from './json-body-guard.ts';
import { registerAssistantRoutes } from './routes/assistants.ts';
import { registerProviderRoutes } from './routes/providers.ts';
import type { ProviderService } from '../providers/provider-service.ts';
import { registerHookRoute } from './routes/hooks.ts';
import { registerKeyRoutes } from './routes/keys.ts';
import { registerLangGraphAssistantRoutes, registerLangGraphInfoRoute } from './routes/langgraph-assistants.ts';
import { registerAssistantTestCallRoutes } from './routes/assistant-test-calls.ts';
import { registerPrecheckRoutes } from './routes/prechecks.ts';
import type { PrecheckService } from '../gates/precheck-service.ts';
import { registerLangGraphCronRoutes } from './routes/langgraph-crons.ts';
import { langGraphErrors } from './langgraph-errors.ts';
import { registerLangGraphRunRoutes } from './routes/langgraph-runs.ts';
import { registerLangGraphThreadRoutes } from './routes/langgraph-threads.ts';
import { registerLangGraphUnsupportedRoutes } from './routes/langgraph-unsupported.ts';
import { mcpPath, registerMcpRoute } from './routes/mcp.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerWaitRoutes } from './routes/waits.ts';
import type { WaitService } from '../waits/wait-service.ts';
import type { ApprovalLinks } from '../waits/approval-links.ts';
import { registerApprovalLinkRoutes } from './routes/approval-links.ts';
import { registerScheduleRoutes } from './routes/schedules.ts';
import { registerSqlRoutes } from './routes/sql.ts';
import { registerUsageRoutes } from './routes/usage.ts';
import { openApiPath, registerSystemRoutes } from './routes/system.ts';
import { registerThreadRoutes } from './routes/threads.ts';
import { registerToolRoutes } from './routes/tools.ts';
import { registerTriggerRoutes } from './routes/triggers.ts';
import { registerUserRoutes } from './routes/users.ts';
import { registerWorkflowRoutes } from './routes/workflows.ts';
import type { WorkflowService } from '../workflows/workflow-service.ts';

export interface ApiContext {
  config: Config;
  db: Database;
  logger: Logger;
  replicaId: string;
  /** The instance's metrics; a fresh registry when omitted. */
  metrics?: Metrics;
  /** The services behind the resource routes; each family of routes is mounted when its service is given. */
  services?: ApiServices;
}

export interface ApiServices {
  assistants?: AssistantService;
  threads?: ThreadService;
  runs?: RunService;
  schedules?: ScheduleService;
  triggers?: TriggerService;
  /** Receives deliveries to trigger URLs (`POST /hooks/{id}`). */
  deliveries?: DeliveryService;
  /** Prechecks: "Test now" (`POST /api/v1/prechecks/test`, docs/gates.md). */
  prechecks?: PrecheckService;
  /** Test calls of assistants (`POST /api/v1/assistants/test`, `/api/v1/assistants/{id}/test`). */
  testCalls?: AssistantTestCalls;
  /** Tokens and cost per schedule; built over `schedules` when absent. */
  usage?: UsageService;
  workflows?: WorkflowService;
  /** Decisions, events and the approvals inbox (docs/waits.md). */
  waits?: WaitService;
  /** Signed one-time approval links, answered without a key (`/approvals/{token}`). */
  approvalLinks?: ApprovalLinks;
  /** Model providers and their shared limits (`/api/v1/providers`, docs/gates.md). */
  providers?: ProviderService;
}

/** Paths answered without a key: health, metrics, the OpenAPI document and the docs. */
const publicPaths = new Set(['/healthz', '/metrics', openApiPath, apiDocsPath]);

/** The LangGraph-compatible routes (behind the same keys; the SDK sends `x-api-key`). */
const langGraphPaths = ['/assistants', '/assistants/*', '/threads', '/threads/*', '/runs', '/runs/*', '/store/*'];

/**
 * The HTTP application: native `/api/v1` routes behind API-key auth, the OpenAPI 3.1 document,
 * interactive docs, health and metrics. Every error answers `{"error":{"code","message","details"}}`.
 *
 * @example
 * const app = createApiApp({ config, db, logger, replicaId: 'test' });
 * const res = await app.request('/api/v1/users/me', { headers: { authorization: `Bearer ${key}` } });
 */
export function createApiApp(context: ApiContext): OpenAPIHono<ApiEnv> {
  const { config, db, logger } = context;
  const metrics = context.metrics ?? createMetrics();
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);

  app.use('*', async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // After next(), the route index points at the handler that answered.
      const route = c.get('unmatched') ? 'unmatched' : routePath(c);
      const labels = { method: c.req.method, route };
      metrics.httpRequests.inc({ ...labels, status: String(c.res.status) });
      metrics.httpDuration.observe(labels, performance.now() - started);
    }
  });
  const limitBody = bodyLimit({
    maxSize: config.server.maxBodyBytes,
    onError: () => {
      throw new KairosError(
        'body_too_large',
        `the request body exceeds ${config.server.maxBodyBytes} bytes (KAIROS_MAX_BODY_BYTES)`,
        { status: 413, details: { max_bytes: config.server.maxBodyBytes } },
      );
    },
  });
  // Trigger URLs read their body themselves, so that an oversized delivery is recorded too.
  app.use('*', async (c, next) => (c.req.path.startsWith('/hooks/') ? next() : limitBody(c, next)));

  const authenticator = new Authenticator(db, { loopback: isLoopbackHost(config.server.host) });
  const requireKey = authMiddleware(authenticator);
  // The docs page's own assets (Swagger UI) are public like the page.
  const isPublic = (path: string) => publicPaths.has(path) || path.startsWith(`${apiDocsPath}/assets/`);
  app.use('/api/*', async (c, next) => (isPublic(c.req.path) ? next() : requireKey(c, next)));
  for (const path of langGraphPaths) app.use(path, requireKey, langGraphErrors);
  app.use(mcpPath, requireKey);
  // After auth, every route that parses JSON gets a body it can hold; MCP's transport reads the raw request itself.
  const guardBody = jsonBodyGuard();
  app.use('*', async (c, next) =>
    c.req.path.startsWith('/hooks/') || c.req.path === mcpPath ? next() : guardBody(c, next),
  );

  registerSystemRoutes(app, { ...context, metrics });
  registerUserRoutes(app, new UserService(db));
  registerKeyRoutes(app, new KeyService(db));
  registerSqlRoutes(app, db);
  const services = context.services ?? {};
  if (services.assistants) registerAssistantRoutes(app, services.assistants);
  if (services.testCalls) registerAssistantTestCallRoutes(app, services.testCalls);
  if (services.prechecks) registerPrecheckRoutes(app, services.prechecks);
  if (services.threads) registerThreadRoutes(app, services.threads);
  if (services.runs) registerRunRoutes(app, services.runs, db);
  if (services.schedules) registerScheduleRoutes(app, services.schedules, services.runs);
  if (services.schedules && services.runs && services.assistants && services.workflows && services.waits) {
    // The scheduler tools (docs/agents-tools.md): function schemas and MCP over the same services.
    const toolServices = {
      schedules: services.schedules,
      runs: services.runs,
      assistants: services.assistants,
      workflows: services.workflows,
      waits: services.waits,
    };
    registerToolRoutes(app, toolServices, logger);
    registerMcpRoute(app, toolServices, logger);
  }
  if (services.triggers) registerTriggerRoutes(app, services.triggers);
  if (services.deliveries) registerHookRoute(app, services.deliveries, config.server.maxBodyBytes);
  const usage =
    services.usage ??
    (services.schedules &&
      new UsageService({ db, clock: systemClock, schedules: services.schedules, pricing: config.pricing }));
  if (usage) registerUsageRoutes(app, usage);
  if (services.workflows) registerWorkflowRoutes(app, services.workflows);
  if (services.waits) registerWaitRoutes(app, services.waits);
  if (services.approvalLinks) registerApprovalLinkRoutes(app, services.approvalLinks);
  if (services.providers) registerProviderRoutes(app, services.providers);

  // LangGraph-compatible routes, so that @langchain/langgraph-sdk works unchanged (docs/api.md).
  registerLangGraphInfoRoute(app);
  if (services.assistants)
    registerLangGraphAssistantRoutes(app, { db, assistants: services.assistants, threads: services.threads });
  if (services.threads && services.assistants) {
    registerLangGraphThreadRoutes(app, { threads: services.threads, assistants: services.assistants });
    if (services.runs)
      registerLangGraphRunRoutes(app, {
        db,
        runs: services.runs,
        threads: services.threads,
        assistants: services.assistants,
      });
  }
  registerLangGraphUnsupportedRoutes(app);
  if (services.schedules)
    registerLangGraphCronRoutes(app, services.schedules, {
      runOnCreate: config.scheduler.cronRunOnCreate,
      now: () => systemClock.now(),
    });
  return app;
}
