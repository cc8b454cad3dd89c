/**
 * The config file bench:peers starts Kairos replicas with for the `module` variant: one module
 * assistant that records its own start (in process, like the peers' handlers) and returns.
 */
import { defineAssistant } from '../../src/index.ts';
import { record } from './record.ts';

export default {
  assistants: [
    defineAssistant({
      id: 'bench-record',
      name: 'bench:peers recorder',
      run(_input: unknown, ctx) {
        record(ctx.run.scheduleId ?? ctx.run.id, ctx.run.scheduledFor?.getTime() ?? Date.now());
        return null;
      },
    }),
  ],
};
