// Runs one operator command the way main does, on given operations, capturing what it prints and its exit status.
import { Command } from 'commander';
import type { ReleaseOperations } from '#operator/operations.ts';
import type { Target } from '#cli/target/choose.ts';
import type { OperatorDeps } from '#cli/target/run.ts';
import { tmpdir } from 'node:os';

export interface CliResult {
  code: number;
  out: string;
  err: string;
  targets: Target[];
}

type Register = (program: Command, setExitCode: (code: number) => void, deps: OperatorDeps, ...rest: never[]) => void;

export interface CliSettings {
  env?: NodeJS.ProcessEnv;
  /** Extra arguments for `register` after the deps (a sleep, an untilStopped). */
  extra?: unknown[];
  /** Receives stdout as it is written (the result has it all at the end). */
  out?: string[];
}

export async function runCli(register: Register, args: string[], operations: ReleaseOperations, settings: CliSettings = {}): Promise<CliResult> {
  const env = settings.env ?? {};
  const out: string[] = settings.out ?? [];
  const err: string[] = [];
  const targets: Target[] = [];
  const deps: OperatorDeps = {
    open: async (target) => {
      targets.push(target);
      return operations;
    },
    io: { out: (t) => out.push(t), err: (t) => err.push(t), terminal: { columns: 120, color: false }, env: { OTA_RELEASE_STATE_DIR: tmpdir(), USER: 'tester', ...env } },
  };
  const program = new Command('ota-release').exitOverride().configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => err.push(t) });
  let code = 0;
  register(program, (c) => (code = c), deps, ...((settings.extra ?? []) as never[]));
  try {
    await program.parseAsync(['node', 'ota-release', ...args]);
  } catch (error) {
    if (!(error instanceof Error) || !('exitCode' in error)) throw error;
    code = (error as { exitCode: number }).exitCode === 0 ? 0 : 2;
  }
  return { code, out: out.join(''), err: err.join(''), targets };
}
