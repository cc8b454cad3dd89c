import type { Agents } from './agents/create-agents.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { ScheduleService } from './scheduler/schedule-service.ts';
import type { Database } from './store/database.ts';
import { WaitService } from './waits/wait-service.ts';
import { ApprovalLinks } from './waits/approval-links.ts';
import { createAgentToolbox } from './tools/agent-toolbox.ts';
import { DeliveryService } from './triggers/delivery-service.ts';
import { TriggerService } from './triggers/trigger-service.ts';
import { RunService } from './worker/run-service.ts';
import { WorkflowService } from './workflows/workflow-service.ts';
import { PrecheckService } from './gates/precheck-service.ts';
import { addressGuardFromConfig } from './agents/address-guard.ts';
import { localModeProbe } from './auth/local-mode.ts';

/** What every service is built over besides the config and the database. */
export interface ServiceDeps {
  /** The engine's clock: database time in `serve`, the system clock in CLI commands, a test clock in tests. */
  clock: Clock;
  logger: Logger;
  /** Assistants, threads and the module registry (see createAgents). */
  agents: Agents;
  /** Where triggers read `{"env": NAME}` secrets; the process environment unless given. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Every service of Kairos, wired once. The API, the CLI, the tools and the tests call these. */
export interface Services {
  agents: Agents;
  /** Assistants (the same instance as `agents.assistants`). */
  assistants: Agents['assistants'];
  /** Workflows: CRUD, validate, run (see docs/workflows.md). */
  workflows: WorkflowService;
  /** Schedules: CRUD, pause/resume, trigger, preview, stats (see docs/scheduling.md). */
  schedules: ScheduleService;
  /** Runs: api runs, read, list, cancel, wait, trace. */
  runs: RunService;
  /** Decisions, events and the approvals inbox of runs that wait (see docs/waits.md). */
  waits: WaitService;
  /** Signed one-time approval links (`/approvals/{token}`, docs/waits.md). */
  approvalLinks: ApprovalLinks;
  /** Inbound triggers: CRUD and delivery history (see docs/triggers.md). */
  triggers: TriggerService;
  /** Receives deliveries to trigger URLs and turns them into `event` runs. */
  deliveries: DeliveryService;
  /** Prechecks: validated at save, tried with "Test now", run by the worker before a run (docs/gates.md). */
  prechecks: PrecheckService;
  /** Stops the services' own listeners (run waiters). The database stays open: its opener closes it. */
  close(): Promise<void>;
}

/**
 * The one composition root of the services, used by `kairos serve` (src/app.ts), the CLI commands
 * that work on the database (`kairos mcp`) and the tests. Every dependency a service needs is a
 * required parameter of its constructor, so a wiring that forgets one does not compile.
 *
 * @example
 * const agents = await createAgents({ db, logger, config });
 * const services = createServices(config, db, { clock: systemClock, logger, agents });
 * await services.schedules.create(actor, { workflow_id, schedule: '@daily' });
 */
export function createServices(config: Config, db: Database, deps: ServiceDeps): Services {
  const { clock, logger, agents } = deps;
  const startDeadlineMs = config.worker.startDeadlineMs;
  const assistants = agents.assistants;
  const workflows = new WorkflowService({ db, clock, assistants, registry: agents.registry, startDeadlineMs });
  // The assistants' address guard (local mode included): a precheck may call what an assistant may.
  const prechecks = new PrecheckService({
    db,
    guard: addressGuardFromConfig(config, undefined, localModeProbe(db, config.server.host)),
    env: deps.env ?? process.env,
  });
  const schedules = new ScheduleService({
    db,
    clock,
    config: config.scheduler,
    startDeadlineMs,
    assistants,
    workflows,
    prechecks,
  });
  const runs = new RunService({ db, clock, startDeadlineMs, assistants });
  const waits = new WaitService({ db, clock });
  const approvalLinks = new ApprovalLinks({
    db,
    clock,
    secret: config.server.approvalSecret,
    publicUrl: config.server.publicUrl,
  });
  // llm assistants with `config.tools` call the scheduler tools through these same services.
  agents.execution.tools = createAgentToolbox({ schedules, runs, assistants, workflows, waits }, logger);
  const triggers = new TriggerService({ db, assistants, workflows, prechecks, publicUrl: config.server.publicUrl });
  const deliveries = new DeliveryService({
    db,
    clock,
    assistants,
    workflows,
    runs,
    env: deps.env ?? process.env,
    maxBodyBytes: config.server.maxBodyBytes,
    startDeadlineMs,
  });
  return {
    agents,
    assistants,
    workflows,
    schedules,
    runs,
    waits,
    approvalLinks,
    triggers,
    deliveries,
    prechecks,
    close: () => runs.close(),
  };
}
