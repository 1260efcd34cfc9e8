// Running one operator command: choose the cloud, open its operations, run, close, and turn the failures an
// operator can cause (unknown release, no state directory, a refused request) into one line and exit status 2.
// Anything else goes up to main's error edge, which prints it with exit status 1.
import { userInfo } from 'node:os';
import { InvalidReleaseError } from '#domain/errors.ts';
import { NotFoundError } from '#ports/errors.ts';
import { BadControlRequestError, ControlUnavailableError, ReadOnlyStateError } from '#operator/errors.ts';
import type { ReleaseOperations } from '#operator/operations.ts';
import { ExitCode } from '../exit-codes.ts';
import { type Terminal, terminalOf } from '../render/terminal.ts';
import { type Ask, terminalAsk } from './ask.ts';
import { type ChooseSettings, type Target, chooseTarget } from './choose.ts';
import { TargetError } from './errors.ts';
import type { CommonOptions } from './options.ts';

export interface OperatorIo {
  out(text: string): void;
  err(text: string): void;
  terminal: Terminal;
  env: NodeJS.ProcessEnv;
  /** Asks the operator one question; absent when there is no interactive terminal (scripts, CI). */
  ask?: Ask;
}

export interface OperatorDeps {
  open(target: Target): Promise<ReleaseOperations>;
  io: OperatorIo;
}

export const processIo = (): OperatorIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  terminal: terminalOf(),
  env: process.env,
  ...withAsk(terminalAsk()),
});

const withAsk = (ask: Ask | undefined) => (ask ? { ask } : {});

export const defaultDeps = (): OperatorDeps => ({
  open: async (target) => (await import('./open.ts')).openOperations(target),
  io: processIo(),
});

/** Errors that mean "nothing was done because of what you asked": exit 2 with one line, no stack. */
const EXPECTED: (new (...args: never[]) => Error)[] = [TargetError, NotFoundError, BadControlRequestError, ReadOnlyStateError, InvalidReleaseError];
/** Names of expected errors from modules loaded lazily (the AWS adapters), matched by name to keep them lazy. */
const EXPECTED_NAMES = new Set(['NoCredentialsError', 'StackNotReadyError', 'MissingConfigurationError']);

export async function runOperator(
  options: CommonOptions,
  deps: OperatorDeps,
  setExitCode: (code: number) => void,
  body: (operations: ReleaseOperations, io: OperatorIo) => Promise<number>,
  settings: ChooseSettings = {},
): Promise<void> {
  const { io } = deps;
  let operations: ReleaseOperations | undefined;
  try {
    operations = await deps.open(chooseTarget(options, { env: io.env, ...settings }));
    setExitCode(await body(operations, io));
  } catch (error) {
    if (!reportExpected(error, options, io, setExitCode)) throw error;
  } finally {
    await operations?.close();
  }
}

/**
 * Prints an error an operator can cause (exit 2) or an unreachable live process (exit 1) as one line, and with
 * --json also as `{ error, exitCode }` on stdout. Returns false for anything else, which the caller rethrows.
 */
export function reportExpected(error: unknown, options: { json?: boolean }, io: OperatorIo, setExitCode: (code: number) => void): boolean {
  const expected = EXPECTED.some((type) => error instanceof type) || EXPECTED_NAMES.has((error as Error)?.name);
  const unreachable = error instanceof ControlUnavailableError;
  if (!expected && !unreachable) return false;
  const message = (error as Error).message;
  const code = expected ? ExitCode.BAD_INPUT : ExitCode.ERROR;
  if (options.json) io.out(`${JSON.stringify({ error: message, exitCode: code })}\n`);
  io.err(`ota-release: ${message}\n`);
  setExitCode(code);
  return true;
}

/** Who an answer is recorded as when `--by` is not given; the AWS target records the caller's IAM ARN as well. */
export function defaultOperator(env: NodeJS.ProcessEnv): string {
  try {
    return `cli:${env.USER ?? env.USERNAME ?? userInfo().username}`;
  } catch {
    return 'cli:operator';
  }
}

export function printJson(io: OperatorIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
