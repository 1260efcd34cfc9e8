// Reading the release file an operator passes to `start`: validated by the domain, with firmware file paths made
// absolute against the file's own directory and checked to exist before anything is started or uploaded.
import { access, readFile } from 'node:fs/promises';
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
  const request = parseReleaseFile(text, file);
  const baseDir = dirname(resolve(file));
  const problems: string[] = [];
  const absolute = async (source: FirmwareSource, path: string): Promise<FirmwareSource> => {
    if (!('file' in source)) return source;
    const full = resolve(baseDir, source.file);
    await access(full).catch(() => problems.push(`${path}.file: no such file ${full}`));
    return { file: full };
  };
  const firmware = {
    ...request.firmware,
    source: await absolute(request.firmware.source, 'firmware.source'),
    ...(request.firmware.rollbackSource && { rollbackSource: await absolute(request.firmware.rollbackSource, 'firmware.rollbackSource') }),
  };
  if (problems.length) throw new InvalidReleaseError(problems);
  return { ...request, firmware };
}
