// Reading the release file an operator passes to `start`: validated by the domain, with firmware file paths made
// absolute against the file's own directory and checked to exist before anything is started or uploaded.
// `validate` runs the same check, so it refuses exactly what `start` and `simulate` refuse.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidReleaseError } from '#domain/errors.ts';
import { parseReleaseData, validateRelease } from '#domain/release-file.ts';
import type { FirmwareSource, ReleaseRequest } from '#domain/release-request.ts';

export async function readReleaseFile(file: string): Promise<ReleaseRequest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidReleaseError([`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return checkReleaseText(text, file, dirname(resolve(file)));
}

/**
 * Validates a release file's text and checks its local images in the same round: a release with a wrong field and a
 * missing image gets both problems at once (the images named by the file as written, when it does not validate).
 */
export async function checkReleaseText(text: string, fileName: string, baseDir: string): Promise<ReleaseRequest> {
  const data = parseReleaseData(text, fileName);
  let request: ReleaseRequest;
  try {
    request = validateRelease(data);
  } catch (error) {
    if (!(error instanceof InvalidReleaseError)) throw error;
    const images = await imageProblemsOf(data, baseDir);
    throw images.length ? new InvalidReleaseError([...error.problems, ...images]) : error;
  }
  const resolved = await resolveFirmwareFiles(request, baseDir);
  if (resolved.problems.length) throw new InvalidReleaseError(resolved.problems);
  return resolved.request;
}

/** The unreadable images of a release that did not validate, from its fields as written (any that are plain paths). */
async function imageProblemsOf(data: unknown, baseDir: string): Promise<string[]> {
  const firmware = (data as { firmware?: Record<string, { file?: unknown } | undefined> } | null)?.firmware;
  const problems: string[] = [];
  for (const field of ['source', 'rollbackSource']) {
    const file = typeof firmware === 'object' && firmware !== null ? firmware[field]?.file : undefined;
    if (typeof file !== 'string') continue;
    const problem = await unreadableFile(resolve(baseDir, file));
    if (problem) problems.push(`firmware.${field}.file: ${problem}`);
  }
  return problems;
}

/**
 * Makes the release's local firmware paths absolute against `baseDir` and checks each can be read, with one problem
 * per image that cannot (its path in the release file first). S3 sources are left alone: they cannot be checked
 * without AWS, and the start checks them when it pins their version.
 */
export async function resolveFirmwareFiles(request: ReleaseRequest, baseDir: string): Promise<{ request: ReleaseRequest; problems: string[] }> {
  const problems: string[] = [];
  const absolute = async (source: FirmwareSource, path: string): Promise<FirmwareSource> => {
    if (!('file' in source)) return source;
    const full = resolve(baseDir, source.file);
    const problem = await unreadableFile(full);
    if (problem) problems.push(`${path}.file: ${problem}`);
    return { file: full };
  };
  const firmware = {
    ...request.firmware,
    source: await absolute(request.firmware.source, 'firmware.source'),
    ...(request.firmware.rollbackSource && { rollbackSource: await absolute(request.firmware.rollbackSource, 'firmware.rollbackSource') }),
  };
  return { request: { ...request, firmware }, problems };
}

/** Why the image at `full` cannot be read, or undefined when it can. */
async function unreadableFile(full: string): Promise<string | undefined> {
  try {
    if (!(await stat(full)).isFile()) return `not a file ${full}`;
    await access(full, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `no such file ${full}` : `cannot read ${full} (${code ?? (error as Error).message})`;
  }
}
