import { moduleConfigSchema } from './assistant-config.ts';
import { assistantSignal, raceAbort } from './assistant-timeout.ts';
import type { ModuleRunContext } from './define-assistant.ts';
import { runtimeConfig } from './http-assistant.ts';
import type { ModuleRegistry } from './module-registry.ts';
import type { AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { asRunFailure, RunFailure } from '../runs/run-failure.ts';

/**
 * The `module` kind: calls the function registered under `config.module` in the config file
 * with the run's input and a context (thread history, run metadata, signal, logger). Its return
 * value is the output; what it throws fails the run as a retryable `assistant_error` (throw a
 * RunFailure to choose otherwise). A module that ignores its signal is abandoned when it fires.
 */
export function moduleAssistantRuntime(registry: ModuleRegistry): AssistantRuntime {
  return {
    kind: 'module',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const config = runtimeConfig(assistant, (value) => moduleConfigSchema.safeParse(value));
      const definition = registry.get(config.module);
      if (!definition) {
        const known = registry.ids();
        throw new RunFailure(
          'config',
          `module "${config.module}" is not registered in this server's config file` +
            (known.length > 0 ? ` (registered: ${known.join(', ')})` : ' (none are registered)'),
          { retryable: false },
        );
      }
      const signal = assistantSignal(context.signal, config.timeout_s);
      let usage: RunResult['usage'];
      const moduleContext: ModuleRunContext = {
        history: context.history,
        run: {
          id: context.runId,
          scheduleId: context.scheduleId,
          scheduledFor: context.scheduledFor,
          trigger: context.trigger,
          runNumber: context.runNumber,
          attempt: context.attempt,
          threadId: context.threadId,
          ownerId: context.ownerId ?? null,
          idempotencyKey: context.idempotencyKey ?? context.runId,
        },
        assistant: { id: assistant.id, name: assistant.name },
        options: Object.freeze({ ...(config.options ?? {}) }),
        ...(context.config !== undefined && { config: Object.freeze({ ...context.config }) }),
        ...(context.context !== undefined && { context: context.context }),
        signal: signal.signal,
        logger: context.logger.child({ module: definition.id }),
        emit: context.emit,
        recordUsage(recorded) {
          usage = { ...recorded };
        },
      };
      try {
        const output = await raceAbort(
          Promise.resolve().then(() => definition.run(context.input, moduleContext)),
          signal.signal,
          signal.reason,
        );
        return { output: output === undefined ? null : output, usage };
      } catch (error) {
        const failure = asRunFailure(error);
        if (failure) throw failure;
        if (signal.signal.aborted) throw signal.reason();
        const message = error instanceof Error ? error.message : String(error);
        throw new RunFailure('assistant_error', `module "${definition.id}" failed: ${message}`, { cause: error });
      }
    },
  };
}
