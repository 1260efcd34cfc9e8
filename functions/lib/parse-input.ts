// Validation at the edge: every function parses what it is handed with zod before calling its use case. A task
// input that does not parse is a bug or a hand-started execution; it fails with every problem and its path, and the
// state machine's catch-all rolls the release back.
import type { z } from 'zod';
import { InvalidTaskInputError } from '#app/errors.ts';
import { describeIssues } from '#app/workflow-state.ts';

export function parseInput<S extends z.ZodType>(task: string, schema: S, event: unknown): z.output<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidTaskInputError(task, describeIssues(parsed.error));
  return parsed.data;
}
