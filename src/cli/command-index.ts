// Every command's name, its line in the top-level help, and how to load it. A command's module (and everything it
// imports: the embedded cloud, AWS SDK clients, the device agent) is loaded only when that command runs, so
// `ota-release --help` and a quick `status` do not pay for the others. test/unit/cli/command-index.test.ts checks each
// line against the command's own definition, so the two cannot drift apart.
import type { Command } from 'commander';

export type SetExitCode = (code: number) => void;

export interface CommandModule {
  register(program: Command, setExitCode: SetExitCode): void;
}

export interface CommandEntry {
  /** What the top-level help lists: name, options and arguments, as commander writes them. */
  term: string;
  description: string;
  /** A literal import per command, so the compiled CLI keeps each command in its own chunk. */
  load: () => Promise<CommandModule>;
}

export const COMMANDS = {
  validate: {
    term: 'validate [options] <file>',
    description: 'check a release file (YAML or JSON) and print the plan: stages, IoT Jobs configs, job documents and what each stage can tell',
    load: () => import('./commands/validate.ts'),
  },
  diagram: {
    term: 'diagram [asl-file]',
    description: 'print the staged-release workflow as a Mermaid state diagram, generated from its ASL file',
    load: () => import('./commands/diagram.ts'),
  },
  start: {
    term: 'start [options] <release-file>',
    description: 'start a release: in the embedded cloud (background process) or in a deployed stack',
    load: () => import('./commands/start.ts'),
  },
  status: {
    term: 'status [options] <release>',
    description: 'show a release: stages, live counts, verdicts with evidence, decisions, and what it waits for',
    load: () => import('./commands/status.ts'),
  },
  list: {
    term: 'list [options]',
    description: 'list releases, newest first, with their status and stage',
    load: () => import('./commands/list.ts'),
  },
  approve: {
    term: 'approve [options] <release>',
    description: 'approve the promotion a release waits for (recorded with who, when and the evidence seen)',
    load: () => import('./commands/approve.ts'),
  },
  reject: {
    term: 'reject [options] <release>',
    description: 'reject the promotion a release waits for: the release rolls back',
    load: () => import('./commands/reject.ts'),
  },
  abort: {
    term: 'abort [options] <release>',
    description: 'stop a release: its workflow stops and queued executions are cancelled',
    load: () => import('./commands/abort.ts'),
  },
  dashboard: {
    term: 'dashboard [options]',
    description: 'serve a release dashboard on localhost: stages, live counts, evidence, decisions, approve / reject',
    load: () => import('./commands/dashboard.ts'),
  },
  simulate: {
    term: 'simulate [options] <release-file>',
    description: 'run a release end to end on this machine: the real workflow and handlers, an in-memory IoT Jobs, and a simulated fleet on a virtual clock',
    load: () => import('./commands/simulate.ts'),
  },
  assess: {
    term: 'assess [options] <release-file>',
    description: 'show what a release policy will do before it runs: the real workflow on many seeded simulated fleets per scenario (healthy, failure rates around the limit, each fault profile), with wrong-call rates and exposure',
    load: () => import('./commands/assess.ts'),
  },
  agent: {
    term: 'agent [options]',
    description: 'run the device agent: take firmware updates from AWS IoT Jobs over MQTT into A/B slots',
    load: () => import('./commands/agent.ts'),
  },
} satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;

export const isCommandName = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name);
