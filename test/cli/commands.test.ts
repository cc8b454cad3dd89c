import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { cliCommands, commandNameIn } from '../../src/cli/commands.ts';
import { buildProgram } from '../../src/cli/main.ts';

describe('the table of top-level commands', () => {
  it.each(cliCommands.map((entry) => [entry.name, entry] as const))(
    'lists %s as the command it loads',
    async (_name, entry) => {
      const command = await entry.load();
      expect(command.name()).toBe(entry.name);
      expect(new Help().subcommandTerm(command)).toBe(entry.term);
      expect(command.description()).toBe(entry.description);
    },
  );

  it('loads only the command named, and the help lists every one the same way', async () => {
    const help = (await buildProgram(['node', 'kairos', '--help'])).helpInformation();
    const withCron = await buildProgram(['node', 'kairos', 'cron', 'next', '* * * * *']);
    expect(
      withCron.commands.find((command) => command.name() === 'cron')!.commands.map((command) => command.name()),
    ).toEqual(['next', 'describe']);
    expect(withCron.commands.find((command) => command.name() === 'serve')!.options).toEqual([]);
    expect(withCron.helpInformation()).toBe(help);
    for (const entry of cliCommands) expect(help).toContain(`  ${entry.term} `);
  });
});

describe('commandNameIn', () => {
  it.each([
    [['cron', 'next', '* * * * *'], 'cron'],
    [['--url', 'http://x', 'schedules', 'list'], 'schedules'],
    [['--url=http://x', '--api-key', 'k', '--db', 'keys', 'list'], 'keys'],
    [['help', 'cron'], 'cron'],
    [['serve', '--port', '0'], 'serve'],
    [['--help'], undefined],
    [['-V'], undefined],
    [[], undefined],
    [['help'], undefined],
  ])('%j names %s', (args, name) => {
    expect(commandNameIn(args)).toBe(name);
  });
});
