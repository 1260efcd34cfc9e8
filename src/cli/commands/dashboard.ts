// `ota-release dashboard`: a web page on localhost over the same releases the CLI sees (the embedded cloud's state
// directory or live process, or a deployed stack), with approve / reject for a release that waits.
// `--export FILE` writes the page as one self-contained HTML file instead, for serving next to a deployed API.
import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { buildSingleFilePage } from '#local/control/page.ts';
import { startControlServer } from '#local/control/server.ts';
import { ExitCode } from '../exit-codes.ts';
import { NoTargetError } from '../target/errors.ts';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, printJson, runOperator } from '../target/run.ts';

interface DashboardOptions extends CommonOptions {
  port: number;
  refresh: number;
  export?: string;
  apiBase?: string;
}

export const DEFAULT_PORT = 8787;

/** Resolves when the operator stops the server (Ctrl-C, or the process is asked to end). */
export type UntilStopped = () => Promise<void>;
const untilSignal: UntilStopped = () =>
  new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0-65535 (0: any free port)');
  return n;
};
const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.25 || n > 600) throw new InvalidArgumentError('seconds between 0.25 and 600');
  return n;
};

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps(), untilStopped: UntilStopped = untilSignal): void {
  addTargetOptions(program.command('dashboard').description('serve a release dashboard on localhost: stages, live counts, evidence, decisions, approve / reject'))
    .option('--port <port>', `port on 127.0.0.1 (0: any free port)`, port, DEFAULT_PORT)
    .option('--refresh <seconds>', 'how often the page refreshes', seconds, 1)
    .option('--export <file>', 'write the page as one self-contained HTML file and exit (for hosting it next to a deployed API)')
    .option('--api-base <url>', 'with --export: the API the page calls (default: the origin it is served from)')
    .addHelpText('after', `
The server listens on 127.0.0.1 only and every API call carries a per-run token, so other users and web pages
cannot answer approvals through it. Stop it with Ctrl-C.

Examples:
  $ ota-release dashboard                          # ./.ota-release (simulate --keep, or a live start)
  $ ota-release dashboard --port 0                 # any free port
  $ ota-release dashboard --aws --stage prod --region eu-west-1
  $ ota-release dashboard --export dashboard.html --api-base https://abc123.execute-api.eu-west-1.amazonaws.com`)
    .action(async (options: DashboardOptions, command: Command) => {
      if (options.export) {
        await exportPage(options, deps);
        return;
      }
      if (options.apiBase) command.error('error: --api-base goes with --export');
      await runOperator(options, deps, setExitCode, async (operations, io) => {
        let server;
        try {
          server = await startControlServer({ operations, port: options.port, refreshMs: Math.round(options.refresh * 1000) });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new NoTargetError(`port ${options.port} is in use; pass --port 0 for any free port`);
          throw error;
        }
        if (options.json) printJson(io, { url: server.url, where: operations.where });
        else io.out(`Dashboard for ${operations.where}\n  ${server.url}\n(Ctrl-C to stop)\n`);
        await untilStopped();
        await server.close();
        return ExitCode.OK;
      });
    });
}

async function exportPage(options: DashboardOptions, deps: OperatorDeps): Promise<void> {
  const html = await buildSingleFilePage({ token: '', where: 'ota-release', refreshMs: Math.round(options.refresh * 1000), apiBase: options.apiBase ?? '' });
  await writeFile(options.export!, html);
  if (options.json) printJson(deps.io, { file: options.export, bytes: Buffer.byteLength(html) });
  else deps.io.out(`wrote ${options.export} (${Buffer.byteLength(html)} bytes)\n`);
}
