// The flags every operator command shares: where the cloud is, and --json for scripts.
import { type Command, Option } from 'commander';
import { DEFAULT_STATE_DIR, type TargetOptions } from './choose.ts';

export interface CommonOptions extends TargetOptions {
  json?: boolean;
}

export function addTargetOptions(command: Command): Command {
  return command
    .addOption(new Option('--state-dir <dir>', `embedded cloud: the state directory simulate --keep / start leave (default: ${DEFAULT_STATE_DIR}/ when it exists)`))
    .addOption(new Option('--aws', 'use the stack deployed in AWS instead of the embedded cloud (or OTA_RELEASE_TARGET=aws)'))
    .addOption(new Option('--stage <stage>', 'AWS: the stage the stack was deployed with (default: OTA_RELEASE_STAGE, else dev; implies --aws)'))
    .addOption(new Option('--region <region>', 'AWS: the stack\'s Region (default: AWS_REGION, else us-east-1)'))
    .addOption(new Option('--stack <name>', 'AWS: the stack name, when it is not ota-release-<stage>'))
    .option('--json', 'print JSON for scripts instead of text');
}
