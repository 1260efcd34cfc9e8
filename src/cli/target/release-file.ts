// Reading the release file an operator passes to `start`: validated by the domain, with firmware file paths made
// absolute against the file's own directory and checked to exist before anything is started or uploaded.
// `validate` runs the same check, so it refuses exactly what `start` and `simulate` refuse.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidReleaseError } from '#domain/errors.ts';
import { parseReleaseFile } from '#domain/release-file.ts';
import type { FirmwareSource, ReleaseRequest } from '#domain/release-request.ts';

export async function readReleaseFile(file: string): Promise<ReleaseRequest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidReleaseError([`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const { request, problems } = await resolveFirmwareFiles(parseReleaseFile(text, file), dirname(resolve(file)));
  if (problems.length) throw new InvalidReleaseError(problems);
  return request;
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
