// zod issues as problems a person can act on: `stages[1].bake: expected a duration like 30m, 2h or 1d, got "2 hours"`.
// Every issue becomes one line with its path; a union says what the closest alternative needed, not "invalid input".
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type PathSegment = PropertyKey;

/** `stages[1].targets.percent`; the empty path is the file itself. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** Every issue as `path: message`, in the order zod found them, without duplicates. */
export function formatIssues(issues: readonly Issue[], basePath: readonly PathSegment[] = []): string[] {
  const problems = issues.flatMap((issue) => formatIssue(issue, basePath));
  return [...new Set(problems)];
}

function formatIssue(issue: Issue, basePath: readonly PathSegment[]): string[] {
  const path = [...basePath, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...path, key])}: unknown field`);
  }
  if (issue.code === 'invalid_union') {
    const branch = closestBranch(issue.errors);
    if (branch) return formatIssues(branch, path);
    return [`${where(path)}: ${isDefaultMessage(issue.message) ? 'does not match any allowed form' : issue.message}${got(issue)}`];
  }
  return [`${where(path)}: ${describeIssue(issue)}`];
}

function where(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the release file' : formatPath(path);
}

/**
 * The union branch the writer most likely meant: the one whose problems are fewest and deepest. A branch that fails
 * at its own level (wrong type, unknown keys) or only for missing fields is a poor match; when two are equally good
 * the union's own message says what is allowed.
 */
function closestBranch(branches: Issue[][]): Issue[] | undefined {
  const scored = branches.map((issues) => ({ issues, score: issues.reduce((sum, issue) => sum + issueWeight(issue), 0) }));
  scored.sort((a, b) => a.score - b.score);
  const [best, second] = scored;
  if (!best || (second && second.score === best.score)) return undefined;
  return best.issues;
}

function issueWeight(issue: Issue): number {
  if (issue.path.length === 0) return 100;
  if (issue.code === 'invalid_type' && isMissing(issue)) return 10;
  return 1;
}

const isMissing = (issue: Issue) => !('input' in issue) || issue.input === undefined;
const isDefaultMessage = (message: string) => /^Invalid (input|option)/.test(message);

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (isMissing(issue)) return 'required';
      const expected = issue.expected === 'int' ? 'a whole number' : `${article(issue.expected)} ${issue.expected}`;
      const hint = issue.expected === 'string' && typeof issue.input === 'number' ? ' (put it in quotes)' : '';
      return `expected ${expected}, got ${describeValue(issue.input)}${hint}`;
    }
    case 'too_small':
      return `${bound(issue.origin, issue.minimum, issue.inclusive, 'small')}${got(issue)}`;
    case 'too_big':
      return `${bound(issue.origin, issue.maximum, issue.inclusive, 'big')}${got(issue)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(', ').replace(/, ([^,]*)$/, ' or $1')}${got(issue)}`;
    case 'invalid_format':
      return `${isDefaultMessage(issue.message) || issue.message.startsWith('Invalid') ? `expected the format ${issue.format}` : issue.message}${got(issue)}`;
    default:
      return issue.message;
  }
}

function bound(origin: string, limit: number | bigint, inclusive: boolean | undefined, side: 'small' | 'big'): string {
  const value = Number(limit);
  if (origin === 'array' || origin === 'set') {
    return side === 'small' ? `needs at least ${value} item${value === 1 ? '' : 's'}` : `allows at most ${value} item${value === 1 ? '' : 's'}`;
  }
  if (origin === 'string') {
    if (side === 'small' && value === 1) return 'must not be empty';
    return side === 'small' ? `needs at least ${value} characters` : `allows at most ${value} characters`;
  }
  if (side === 'small') return inclusive === false ? `must be more than ${value}` : `must be at least ${value}`;
  return inclusive === false ? `must be less than ${value}` : `must be at most ${value}`;
}

function got(issue: Issue): string {
  return 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? `, got ${describeValue(issue.input)}` : '';
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
