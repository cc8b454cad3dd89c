import { Command } from 'commander';
import { connectionOptions, sdkClient } from './connection.ts';
import { parseJsonOrText } from './json-argument.ts';
import { print } from './output.ts';

/** `kairos events send` over the API (docs/waits.md). */
export function eventsCommand(): Command {
  const events = new Command('events').description(
    'events that wake waiting runs (through the API: KAIROS_URL, KAIROS_API_KEY)',
  );
  events
    .command('send')
    .description('send an event; prints the runs it woke')
    .argument('<name>')
    .option('--payload <json>', 'the event payload (JSON, or text)')
    .option('--key <key>', 'a correlation value a wait’s match reads as event.key')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { payload?: string; key?: string }, command: Command) => {
      const connection = connectionOptions(command);
      const answer = await sdkClient(connection).events.send({
        name,
        ...(options.payload !== undefined && { payload: parseJsonOrText(options.payload) }),
        ...(options.key !== undefined && { key: options.key }),
      });
      print(answer, connection.json, (value) =>
        process.stdout.write(
          value.matched.length === 0 ? 'sent; no run was waiting for it\n' : `woke ${value.matched.join(', ')}\n`,
        ),
      );
    });
  return events;
}
