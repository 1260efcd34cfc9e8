// Reading a release file: YAML or JSON text in, a validated ReleaseRequest out, or InvalidReleaseError listing every
// problem with its path. Pure: the CLI reads the file and resolves relative firmware paths.
import { parseDocument } from 'yaml';
import { InvalidReleaseError } from './errors.ts';
import { formatIssues } from './problems.ts';
import { ReleaseRequest } from './release-request.ts';

export function parseReleaseFile(text: string, fileName: string): ReleaseRequest {
  return validateRelease(parseReleaseData(text, fileName));
}

/** The file's data before validation (YAML or JSON by its name), or InvalidReleaseError when it does not parse. */
export function parseReleaseData(text: string, fileName: string): unknown {
  return isJsonName(fileName) ? parseJson(text, fileName) : parseYaml(text, fileName);
}

/** Validates already-parsed data (a Lambda event, an API body) the same way. */
export function validateRelease(data: unknown): ReleaseRequest {
  if (data === null || data === undefined) throw new InvalidReleaseError(['the release file is empty']);
  if (typeof data !== 'object' || Array.isArray(data)) throw new InvalidReleaseError(['the release file must be a mapping of fields (releaseId, firmware, stages, …)']);
  const result = ReleaseRequest.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new InvalidReleaseError(formatIssues(result.error.issues));
}

const isJsonName = (fileName: string) => /\.json$/i.test(fileName);

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    const at = position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`;
    throw new InvalidReleaseError([`${fileName}: not valid JSON${at}: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')}`]);
  }
}

function parseYaml(text: string, fileName: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new InvalidReleaseError(
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        const place = at ? ` line ${at.line}, column ${at.col}` : '';
        return `${fileName}${place}: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  try {
    // yaml refuses aliases that expand past 100 nodes (maxAliasCount): a "billion laughs" file is bad input, not a crash.
    return document.toJS();
  } catch (error) {
    throw new InvalidReleaseError([`${fileName}: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
