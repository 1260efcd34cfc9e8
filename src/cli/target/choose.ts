// Which cloud a command talks to. The embedded cloud is a state directory (`--state-dir`, default `.ota-release/`
// when it exists) that `simulate --keep` or `start` leaves, possibly with a live process behind it; AWS is a deployed
// stack found by stage and Region (`--aws --stage dev --region us-east-1`).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NoTargetError } from './errors.ts';

export const DEFAULT_STATE_DIR = '.ota-release';
export const SERVICE_NAME = 'ota-release';

export interface TargetOptions {
  stateDir?: string;
  aws?: boolean;
  stage?: string;
  region?: string;
  stack?: string;
}

export type Target =
  | { kind: 'local'; stateDir: string }
  | { kind: 'aws'; stage: string; region: string; stackName: string };

export interface ChooseSettings {
  env?: NodeJS.ProcessEnv;
  /** `start` creates the state directory; every other command needs one that exists. */
  mayCreateStateDir?: boolean;
  exists?: (path: string) => boolean;
}

const STAGE = /^[a-zA-Z0-9-]{1,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function chooseTarget(options: TargetOptions, settings: ChooseSettings = {}): Target {
  const env = settings.env ?? process.env;
  const exists = settings.exists ?? existsSync;
  const wantsAws = options.aws === true || options.stage !== undefined || options.stack !== undefined || env.OTA_RELEASE_TARGET === 'aws';
  if (wantsAws) {
    if (options.stateDir !== undefined) throw new NoTargetError('--state-dir is for the embedded cloud; leave it out with --aws/--stage');
    const stage = options.stage ?? env.OTA_RELEASE_STAGE ?? 'dev';
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    if (!STAGE.test(stage)) throw new NoTargetError(`--stage ${JSON.stringify(stage)}: letters, digits and - only`);
    if (!REGION.test(region)) throw new NoTargetError(`--region ${JSON.stringify(region)} is not a Region name such as us-east-1`);
    return { kind: 'aws', stage, region, stackName: options.stack ?? `${SERVICE_NAME}-${stage}` };
  }
  if (options.region !== undefined) throw new NoTargetError('--region is for a deployed stack; add --aws (and --stage)');
  const explicit = options.stateDir ?? env.OTA_RELEASE_STATE_DIR;
  const stateDir = resolve(explicit ?? DEFAULT_STATE_DIR);
  if (!settings.mayCreateStateDir && !exists(stateDir)) {
    throw new NoTargetError(
      explicit === undefined
        ? `no embedded cloud here (${DEFAULT_STATE_DIR}/ does not exist): run \`ota-release start release.yaml\` or \`ota-release simulate release.yaml --keep\` first, or use --aws --stage <stage>`
        : `no embedded cloud state in ${stateDir}`,
    );
  }
  return { kind: 'local', stateDir };
}

export function describeTarget(target: Target): string {
  return target.kind === 'aws' ? `AWS stack ${target.stackName} (${target.region})` : `embedded cloud (${target.stateDir})`;
}
