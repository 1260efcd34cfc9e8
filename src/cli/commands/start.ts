// `ota-release start release.yaml`: starts a release in the embedded cloud (in the background, reachable from other
// terminals while it runs) or in a deployed stack (firmware uploaded, execution named by the release id). Starting
// the same release twice is harmless: the second start says so and changes nothing.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { chooseTarget } from '../target/choose.ts';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { readReleaseFile } from '../target/release-file.ts';
import { type OperatorIo, printJson, processIo, reportExpected } from '../target/run.ts';
import type { LocalStartResult } from '../target/start-local.ts';
import type { StartResult } from '../target/start-aws.ts';

interface StartOptions extends CommonOptions {
  devices?: number;
  faultProfile?: string;
  seed?: number;
  approve: 'external' | 'auto' | 'reject';
}

export interface StartDeps {
  io: OperatorIo;
  startLocal(file: string, options: StartOptions & { stateDir: string }): Promise<LocalStartResult>;
  startAws(file: string, target: { stackName: string; region: string }): Promise<StartResult>;
}

const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of devices, at least 1');
  return n;
};
const seed = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('a whole number');
  return n;
};

const defaultDeps = (): StartDeps => ({
  io: processIo(),
  startLocal: async (file, options) => {
    const [{ startLocally }, request] = await Promise.all([import('../target/start-local.ts'), readReleaseFile(file)]);
    return startLocally(request, {
      releaseFile: file,
      stateDir: options.stateDir,
      approve: options.approve,
      ...(options.devices !== undefined && { devices: options.devices }),
      ...(options.faultProfile !== undefined && { faultProfile: options.faultProfile }),
      ...(options.seed !== undefined && { seed: options.seed }),
    });
  },
  startAws: async (file, target) => {
    const request = await readReleaseFile(file);
    const { awsPortsFor } = await import('../target/aws.ts');
    const { startOnAws } = await import('../target/start-aws.ts');
    return startOnAws(await awsPortsFor(target), request);
  },
});

export function register(program: Command, setExitCode: (code: number) => void, deps: StartDeps = defaultDeps()): void {
  addTargetOptions(program.command('start').description('start a release: in the embedded cloud (background process) or in a deployed stack'))
    .argument('<release-file>', 'the release request (YAML or JSON)')
    .option('--devices <n>', 'embedded cloud: simulated fleet size (default: simulate\'s)', count)
    .option('--fault-profile <name>', 'embedded cloud: how the simulated fleet misbehaves (see simulate --help)')
    .option('--seed <n>', 'embedded cloud: seed of the simulated fleet', seed)
    .addOption(new Option('--approve <mode>', 'embedded cloud: who answers approvals; external = you, with approve/reject/dashboard').choices(['external', 'auto', 'reject']).default('external'))
    .addHelpText('after', `
In the embedded cloud, start runs \`ota-release simulate FILE --keep --approve external\` in the background and returns
once the release is reachable; follow it with status or dashboard, answer with approve / reject (log: <state-dir>/logs/).
In AWS, local firmware files are uploaded to the stack's firmware bucket, then the execution named by the release id
starts. Starting a release that exists already changes nothing.
Exit status: 0 started (or already started); 2 bad release file or flags, unknown stack; 1 unexpected error.

Examples:
  $ ota-release start examples/release.yaml --devices 5000
  $ ota-release status gateway-2-4-0 && ota-release approve gateway-2-4-0 --wave canary
  $ ota-release start release.yaml --aws --stage prod --region eu-west-1 --json`)
    .action(async (file: string, options: StartOptions) => {
      const { io } = deps;
      try {
        const target = chooseTarget(options, { env: io.env, mayCreateStateDir: true });
        const result = target.kind === 'aws' ? await deps.startAws(file, target) : await deps.startLocal(file, { ...options, stateDir: target.stateDir });
        if (options.json) printJson(io, result);
        else io.out(`${result.message}\n${result.started ? followUp(result.releaseId, options) : ''}`);
        setExitCode(ExitCode.OK);
      } catch (error) {
        if (!reportExpected(error, options, io, setExitCode)) throw error;
      }
    });
}

function followUp(releaseId: string, options: CommonOptions): string {
  const where = options.aws || options.stage || options.stack ? ' --aws' + (options.stage ? ` --stage ${options.stage}` : '') + (options.region ? ` --region ${options.region}` : '') : options.stateDir ? ` --state-dir ${options.stateDir}` : '';
  return `follow it:  ota-release status ${releaseId}${where} --watch\n            ota-release dashboard${where}\n`;
}
