import { Command, Help } from 'commander';
import { COMMANDS, type CommandName } from '#cli/command-index.ts';
import { commandIn } from '#cli/main.ts';
import { runCli } from '../../support/run-cli.ts';

describe('the command index (what the top-level help lists without loading any command)', () => {
  it.each(Object.keys(COMMANDS) as CommandName[])('%s: its line matches the command as it defines itself', async (name) => {
    const program = new Command('ota-release');
    (await COMMANDS[name].load()).register(program, () => undefined);
    const [command] = program.commands;
    expect(command?.name()).toBe(name);
    expect(new Help().subcommandTerm(command!)).toBe(COMMANDS[name].term);
    expect(command!.description()).toBe(COMMANDS[name].description);
  });

  it('finds the command a run is for, after the program options and after help', () => {
    expect(commandIn(['node', 'ota-release', 'status', 'fw-1', '--json'])).toBe('status');
    expect(commandIn(['node', 'ota-release', '--help'])).toBeUndefined();
    expect(commandIn(['node', 'ota-release', 'help', 'approve'])).toBe('approve');
    expect(commandIn(['node', 'ota-release', 'approv'])).toBeUndefined();
    expect(commandIn(['node', 'ota-release', 'toString'])).toBeUndefined();
  });

  it('lists every command with its arguments, and examples, in the top-level help', async () => {
    const { code, out } = await runCli('--help');
    expect(code).toBe(0);
    for (const entry of Object.values(COMMANDS)) expect(out).toContain(entry.term);
    expect(out).toMatch(/Examples:\n {2}\$ ota-release validate/);
  });

  it('still runs the command asked for and answers `help <command>` with its own help', async () => {
    const help = await runCli('help', 'reject');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: ota-release reject [options] --reason <text> <release>');
    expect((await runCli('approv')).err).toContain('(Did you mean approve?)');
  });
});
