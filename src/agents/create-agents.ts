import { localModeProbe } from '../auth/local-mode.ts';
import { systemClock, type Clock } from '../clock.ts';
import { createProviderService, type ProviderService } from '../providers/provider-service.ts';
import { addressGuardFromConfig } from './address-guard.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/database.ts';
import { createAssistantService, type AssistantService } from './assistant-service.ts';
import { builtInModules, ensureBuiltInAssistants } from './builtin-assistants.ts';
import { createAssistantTestCalls, type AssistantTestCalls } from './assistant-test-call.ts';
import { createAssistantExecution, type AssistantExecutionDeps } from './execute-assistant.ts';
import { loadModuleRegistry, type ModuleRegistry } from './module-registry.ts';
import { createThreadService, type ThreadService } from './thread-service.ts';

/** Everything src/agents offers a replica, built over one registry and one config. */
export interface Agents {
  registry: ModuleRegistry;
  /** What the worker passes to executeAssistant. */
  execution: AssistantExecutionDeps;
  assistants: AssistantService;
  threads: ThreadService;
  /** Test calls: run an assistant once and show the raw exchange (the dashboard's "test call"). */
  testCalls: AssistantTestCalls;
  /** Model providers and their shared limits (docs/gates.md "Providers"). */
  providers: ProviderService;
}

/**
 * Loads the module registry (built-ins plus the config file's modules), creates or refreshes the
 * built-in assistants (unless `ensureBuiltIns: false`) and builds the services.
 *
 * @example
 * const agents = await createAgents({ db, logger, config });
 * await executeAssistant(agents.execution, run, signal, emit); // in the worker
 * await agents.assistants.assertRunnable(actor, input.assistant_id); // in schedule creation
 */
export async function createAgents(options: {
  db: Database;
  logger: Logger;
  config: Pick<Config, 'http' | 'threadMaxMessages' | 'configFile'> & Partial<Pick<Config, 'server'>>;
  cwd?: string;
  ensureBuiltIns?: boolean;
  /** A registry built already (tests); otherwise the built-ins plus the config file's modules. */
  registry?: ModuleRegistry;
}): Promise<Agents> {
  const { db, logger, config } = options;
  const registry =
    options.registry ??
    (await loadModuleRegistry({
      configFile: config.configFile,
      cwd: options.cwd,
      builtIns: builtInModules(db),
    }));
  if (registry.source)
    logger.info({ config_file: registry.source, modules: registry.ids() }, 'module assistants loaded');
  if (options.ensureBuiltIns !== false) await ensureBuiltInAssistants(db);
  return buildAgents({ db, logger, config, registry });
}

/** The services of src/agents over a registry already loaded (see {@link createAgents}). */
export function buildAgents(options: {
  db: Database;
  logger: Logger;
  config: Pick<Config, 'http' | 'threadMaxMessages'> & Partial<Pick<Config, 'server'>>;
  registry: ModuleRegistry;
  /** The clock provider windows count on (the engine's; the system clock when absent). */
  clock?: Clock;
}): Agents {
  const { db, logger, config, registry } = options;
  const clock = options.clock ?? systemClock;
  // Local mode (a loopback server, no keys) allows loopback agents: see src/agents/address-guard.ts.
  const localMode = config.server ? localModeProbe(db, config.server.host) : undefined;
  const assistants = createAssistantService({ db, config, registry, localMode });
  const execution = createAssistantExecution({ db, logger, config, registry, localMode, clock });
  const guard = addressGuardFromConfig(config, undefined, localMode);
  const providers = createProviderService({ db, clock, checkUrl: (url) => guard.checkUrl(url) });
  return {
    providers,
    registry,
    execution,
    assistants,
    testCalls: createAssistantTestCalls({ assistants, execution }),
    threads: createThreadService({ db, assistants, threadMaxMessages: config.threadMaxMessages }),
  };
}
