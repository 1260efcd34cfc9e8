// `ota-release validate FILE`: checks a release file and prints the plan — stages and their cohorts, the IoT Jobs
// configs and job documents exactly as they will be sent, and what each stage can tell. Does nothing else.
// Bad input: every problem with its path, exit status 2.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { InvalidReleaseError } from '#domain/errors.ts';
import type { FirmwareLocation, SignedFirmware } from '#domain/firmware.ts';
import { presignedUrlPlaceholder } from '#domain/job-document.ts';
import { parseReleaseFile } from '#domain/release-file.ts';
import { planRelease, type ReleasePlan } from '#domain/release-plan.ts';
import type { FirmwareSource, ReleaseRequest } from '#domain/release-request.ts';
import { ExitCode } from '../exit-codes.ts';
import { renderPlan } from '../render/plan.ts';
import { type Terminal, terminalOf } from '../render/terminal.ts';
import { checkReleaseText } from '../target/release-file.ts';

export const DEFAULT_FLEET_SIZE = 10000;

interface ValidateOptions {
  fleetSize?: number;
  json?: boolean;
}

export interface ValidateIo {
  out(text: string): void;
  err(text: string): void;
  terminal: Terminal;
}

const processIo = (): ValidateIo => ({ out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text), terminal: terminalOf() });

const fleetSize = (value: string): number => {
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) throw new InvalidArgumentError('a whole number of devices, 1 or more');
  return n;
};

export function register(program: Command, setExitCode: (code: number) => void, io: ValidateIo = processIo()): void {
  program
    .command('validate')
    .description('check a release file (YAML or JSON) and print the plan: stages, IoT Jobs configs, job documents and what each stage can tell')
    .argument('<file>', 'the release file')
    .option('--fleet-size <devices>', `devices in the fleet, to size percent stages (default ${DEFAULT_FLEET_SIZE.toLocaleString('en-US')})`, fleetSize)
    .option('--json', 'print the plan (or the problems) as JSON, for scripts')
    .addHelpText(
      'after',
      `
Nothing is started: validate reads the release file and the local firmware images (a missing or unreadable image
is a problem, as it is for start and simulate; their real checksums and sizes go in the job documents). Images in
S3 are not checked, because validate works offline: the plan says so.
Exit status 0 when the file is valid (warnings included), 2 when it is not; every problem is listed with its path.

Examples:
  $ ota-release validate examples/release.yaml
  $ ota-release validate release.json --fleet-size 250000
  $ ota-release validate release.yaml --json | jq '.stages[] | {name, cohort, power: .power.summary}'`,
    )
    .action(async (file: string, options: ValidateOptions) => {
      setExitCode(await validate(file, options, io));
    });
}

async function validate(file: string, options: ValidateOptions, io: ValidateIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return refuse(file, [`cannot read the file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`], options, io);
  }
  let request: ReleaseRequest;
  try {
    // The same check start and simulate make (fields and images in one round), so validate never passes a release
    // they refuse; the plan shows the image paths as the file writes them.
    await checkReleaseText(text, basename(file), dirname(resolve(file)));
    request = parseReleaseFile(text, basename(file));
  } catch (error) {
    if (error instanceof InvalidReleaseError) return refuse(file, error.problems, options, io);
    throw error;
  }
  const plan = await planForFleet(request, options.fleetSize ?? DEFAULT_FLEET_SIZE, dirname(file));
  if (options.json) io.out(`${JSON.stringify({ valid: true, file, fleetSizeAssumed: options.fleetSize === undefined, ...plan }, null, 2)}\n`);
  else io.out(renderPlan(plan, io.terminal, options.fleetSize === undefined));
  return ExitCode.OK;
}

function refuse(file: string, problems: string[], options: ValidateOptions, io: ValidateIo): number {
  if (options.json) io.out(`${JSON.stringify({ valid: false, file, problems }, null, 2)}\n`);
  else io.err(`ota-release: ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}\n`);
  return ExitCode.BAD_INPUT;
}

const SIGNATURE_PLACEHOLDER = '<signature: made when the release starts (AWS Signer or the local key)>';

/** What can be known before signing: the local images' checksums and sizes, placeholders for S3 objects. */
/** What validate plans for a fleet of `fleetSize` (stages, power, documents, warnings); images resolve from `baseDir`. */
export async function planForFleet(request: ReleaseRequest, fleetSize: number, baseDir: string): Promise<ReleasePlan> {
  return planRelease(request, { fleetSize, ...(await measureImages(request, baseDir)) });
}

async function measureImages(request: ReleaseRequest, baseDir: string) {
  const placeholders: string[] = ['signature.value and signature.keyId: the image is signed when the release starts'];
  const release = await measure(request.firmware.source, baseDir);
  const rollbackSource = request.firmware.rollbackSource;
  const rollback = rollbackSource ? await measure(rollbackSource, baseDir) : undefined;
  for (const image of [release, rollback]) {
    if (image && !image.found) placeholders.push(`${image.label}: ${image.why}, so its checksum and size are placeholders`);
  }
  placeholders.push('firmware URLs: on AWS, an S3 presigned-URL placeholder that IoT Jobs fills in per device; in the embedded cloud, a loopback URL');
  const signature = { algorithm: 'ECDSA-SHA256' as const, value: SIGNATURE_PLACEHOLDER, keyId: '<signing key>' };
  const firmware: SignedFirmware = {
    version: request.firmware.version,
    sha256: release.sha256,
    size: release.size,
    location: release.location,
    signature,
    ...(rollback ? { rollback: { version: request.firmware.previousVersion, location: rollback.location, sha256: rollback.sha256, size: rollback.size, signature } } : {}),
  };
  return {
    firmware,
    releaseUrls: { firmwareUrl: release.url, ...(rollback ? { rollbackUrl: rollback.url } : {}) },
    rollbackUrl: rollback?.url ?? '',
    placeholders,
  };
}

async function measure(source: FirmwareSource, baseDir: string) {
  if ('s3' in source) {
    const { bucket, key, versionId } = source.s3;
    const location: FirmwareLocation = { kind: 's3', bucket, key, ...(versionId ? { versionId } : {}) };
    const url = presignedUrlPlaceholder(`https://${bucket}.s3.amazonaws.com/${key}`);
    const why = 'not checked, because validate does not call AWS; the release reads the object when it signs the image';
    return { found: false, label: `s3://${bucket}/${key}`, why, sha256: '<sha-256 of the S3 object>', size: 0, location, url };
  }
  const path = isAbsolute(source.file) ? source.file : resolve(baseDir, source.file);
  const location: FirmwareLocation = { kind: 'file', path };
  const url = presignedUrlPlaceholder(`https://FIRMWARE-BUCKET.s3.amazonaws.com/${basename(path)}`);
  try {
    const bytes = await readFile(path);
    return { found: true, label: source.file, why: '', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, location, url };
  } catch (error) {
    // Checked just before; only a file that changed in between gets here.
    const why = `not readable here (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    return { found: false, label: source.file, why, sha256: '<sha-256 of the image>', size: 0, location, url };
  }
}
