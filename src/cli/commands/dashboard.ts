// `ota-release dashboard`: a web page on localhost over the same releases the CLI sees (the embedded cloud's state
// directory or live process, or a deployed stack), with approve / reject for a release that waits.
// `--export FILE` writes the page as one self-contained HTML file instead, for serving next to a deployed API.
// `--aws --link RELEASE` prints a signed read-only view link to the dashboard the deployed stack serves.
import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { VIEW_MAX_SECONDS } from '#app/view-links.ts';
import { formatDuration, parseDuration } from '#domain/duration.ts';
import { buildSingleFilePage } from '#operator/page.ts';
import { startControlServer } from '#operator/server.ts';
import { ExitCode } from '../exit-codes.ts';
import { NoTargetError } from '../target/errors.ts';
import { chooseTarget } from '../target/choose.ts';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, printJson, reportExpected, runOperator } from '../target/run.ts';
import { type MakeViewLink, awsViewLink } from './dashboard-link.ts';

interface DashboardOptions extends CommonOptions {
  port: number;
  refresh: number;
  export?: string;
  apiBase?: string;
  link?: string;
  validFor: number;
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
const releaseId = (value: string) => {
  if (!/^[a-zA-Z0-9_-]{1,48}$/.test(value)) throw new InvalidArgumentError('a release id: letters, digits, _ and - (at most 48)');
  return value;
};
const validFor = (value: string) => {
  const n = parseDuration(value);
  if (n === undefined || n < 60 || n > VIEW_MAX_SECONDS) throw new InvalidArgumentError(`a duration from 1m to ${formatDuration(VIEW_MAX_SECONDS)}, like 8h or 7d`);
  return n;
};
const DEFAULT_VALID_FOR = 86_400;

export function register(
  program: Command,
  setExitCode: (code: number) => void,
  deps: OperatorDeps = defaultDeps(),
  untilStopped: UntilStopped = untilSignal,
  makeViewLink: MakeViewLink = awsViewLink,
): void {
  addTargetOptions(program.command('dashboard').description('serve a release dashboard on localhost: stages, live counts, evidence, decisions, approve / reject'))
    .option('--port <port>', `port on 127.0.0.1 (0: any free port)`, port, DEFAULT_PORT)
    .option('--refresh <seconds>', 'how often the page refreshes', seconds, 1)
    .option('--export <file>', 'write the page as one self-contained HTML file and exit (for hosting it next to a deployed API)')
    .option('--api-base <url>', 'with --export: the API the page calls (default: the origin it is served from)')
    .option('--link <release>', 'AWS: print a read-only view link to the dashboard the stack serves, for this release, and exit', releaseId)
    .addOption(new Option('--valid-for <duration>', `with --link: how long the link works (at most ${formatDuration(VIEW_MAX_SECONDS)})`).argParser(validFor).default(DEFAULT_VALID_FOR, '24h'))
    .addHelpText('after', `
The server listens on 127.0.0.1 only. It prints a one-time login link: opening it gives your browser a session;
without one the server shows nothing (no token is in any page), so other users on the machine and web pages cannot
read releases or answer approvals through it. Approvals made on the page are recorded as you (dashboard:<your
user>). Stop it with Ctrl-C.

A deployed stack also serves the dashboard itself, read-only, at <ApprovalApiUrl>/dashboard?view=<token>: approval
notices carry such a link, and --link signs a new one (you need secretsmanager:GetSecretValue on the stack's link
key). Anyone holding a view link can watch that one release until the link expires; it cannot approve, reject or
abort anything.

Examples:
  $ ota-release dashboard                          # ./.ota-release (simulate --keep, or a live start)
  $ ota-release dashboard --port 0                 # any free port
  $ ota-release dashboard --aws --stage prod --region eu-west-1
  $ ota-release dashboard --export dashboard.html --api-base https://abc123.execute-api.eu-west-1.amazonaws.com
  $ ota-release dashboard --aws --stage prod --link gateway-2-4-0 --valid-for 8h`)
    .action(async (options: DashboardOptions, command: Command) => {
      if (options.link) {
        if (options.export) command.error('error: --link and --export do not go together');
        await printViewLink(options, deps, setExitCode, makeViewLink);
        return;
      }
      if (command.getOptionValueSource('validFor') === 'cli') command.error('error: --valid-for goes with --link');
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
        // The login URL is the dashboard's only key: it goes to this terminal, never into anything the server serves.
        const loginUrl = server.loginUrl();
        if (options.json) printJson(io, { url: server.url, loginUrl, where: operations.where });
        else io.out(`Dashboard for ${operations.where}\n  ${loginUrl}\n(open this one-time link in your browser; Ctrl-C to stop)\n`);
        await untilStopped();
        await server.close();
        return ExitCode.OK;
      });
    });
}

async function printViewLink(options: DashboardOptions, deps: OperatorDeps, setExitCode: (code: number) => void, makeViewLink: MakeViewLink): Promise<void> {
  const { io } = deps;
  try {
    const target = awsTargetOf(options, io.env);
    const link = await makeViewLink(target, { releaseId: options.link!, validForSeconds: options.validFor, now: new Date() });
    if (options.json) printJson(io, link);
    else io.out(`Read-only dashboard of ${link.releaseId} on ${target.stackName} (${target.region}), valid until ${link.expiresAt}:\n  ${link.url}\nAnyone with this link can watch this release until then; it cannot approve, reject or abort.\n`);
    setExitCode(ExitCode.OK);
  } catch (error) {
    if (!reportExpected(error, options, io, setExitCode)) throw error;
  }
}

function awsTargetOf(options: DashboardOptions, env: NodeJS.ProcessEnv) {
  const asked = options.aws || options.stage || options.stack || env.OTA_RELEASE_TARGET === 'aws';
  const notAws = new NoTargetError('view links are for the dashboard a deployed stack serves: add --aws (and --stage); the local dashboard needs none');
  // Without AWS flags the target would be the embedded cloud (or none): say what --link needs, not what is missing here.
  if (!asked) throw notAws;
  const target = chooseTarget(options, { env });
  if (target.kind !== 'aws') throw notAws;
  return target;
}

async function exportPage(options: DashboardOptions, deps: OperatorDeps): Promise<void> {
  const html = await buildSingleFilePage({ token: '', where: 'ota-release', refreshMs: Math.round(options.refresh * 1000), apiBase: options.apiBase ?? '' });
  await writeFile(options.export!, html);
  if (options.json) printJson(deps.io, { file: options.export, bytes: Buffer.byteLength(html) });
  else deps.io.out(`wrote ${options.export} (${Buffer.byteLength(html)} bytes)\n`);
}
