// The JSON routes of the control API, over any ReleaseOperations. Bodies are checked with zod at this edge; the
// operations receive typed input. Paths:
//   GET  /api/releases                 → { where, releases: ReleaseSummary[] }
//   GET  /api/releases/:id             → ReleaseView
//   POST /api/releases/:id/approve     { comment?, by?, via?, stageIndex? } → ApprovalAnswerResult
//   POST /api/releases/:id/reject      { reason, by?, via?, stageIndex? }   → ApprovalAnswerResult
// stageIndex binds the answer to the stage the caller showed; a release waiting at another stage refuses it (stale).
// The dashboard and the CLI always send it; it stays optional for callers that answered before it existed.
//   POST /api/releases/:id/abort       { reason, force?, by? }       → AbortResult
import { z } from 'zod';
import { BadControlRequestError } from './errors.ts';
import { newestFirst, type ReleaseOperations } from './operations.ts';

const RELEASE_ID = /^[a-zA-Z0-9_-]{1,48}$/;
const Who = z.string().trim().min(1).max(200);
const Via = z.enum(['cli', 'dashboard', 'api']);
const StageIndex = z.number().int().min(0).max(99);

const ApproveBody = z.strictObject({ comment: z.string().trim().max(1000).optional(), by: Who.optional(), via: Via.optional(), stageIndex: StageIndex.optional() });
const RejectBody = z.strictObject({ reason: z.string().trim().min(1, 'a reject needs a reason').max(1000), by: Who.optional(), via: Via.optional(), stageIndex: StageIndex.optional() });
const AbortBody = z.strictObject({ reason: z.string().trim().min(1, 'an abort needs a reason').max(1000), force: z.boolean().optional(), by: Who.optional() });

export interface ApiRequest {
  method: string;
  /** The path without the query string, e.g. `/api/releases/fw-2-4-0/approve`. */
  path: string;
  body: unknown;
}

export interface ApiContext {
  operations: ReleaseOperations;
  /** Who an answer is recorded as when the caller does not say (e.g. `dashboard:alice`). */
  defaultOperator: string;
}

/** The JSON to send back, or undefined when no route matches. Throws the errors http-status.ts maps. */
export async function handleApi(request: ApiRequest, context: ApiContext): Promise<unknown | undefined> {
  const parts = request.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'releases') return undefined;
  const { operations } = context;
  if (parts.length === 2 && request.method === 'GET') {
    const releases = await operations.listReleases();
    return { where: operations.where, releases: [...releases].sort(newestFirst) };
  }
  const releaseId = parts[2];
  if (releaseId === undefined || !RELEASE_ID.test(releaseId)) throw new BadControlRequestError('a release id is letters, digits, _ and - (at most 48)');
  if (parts.length === 3 && request.method === 'GET') return operations.describeRelease(releaseId);
  if (parts.length !== 4 || request.method !== 'POST') return undefined;
  switch (parts[3]) {
    case 'approve': {
      const body = parse(ApproveBody, request.body);
      return operations.answerApproval({ releaseId, answer: 'approve', by: body.by ?? context.defaultOperator, via: body.via ?? 'dashboard', ...(body.comment && { comment: body.comment }), ...waveOf(body) });
    }
    case 'reject': {
      const body = parse(RejectBody, request.body);
      return operations.answerApproval({ releaseId, answer: 'reject', by: body.by ?? context.defaultOperator, via: body.via ?? 'dashboard', comment: body.reason, ...waveOf(body) });
    }
    case 'abort': {
      const body = parse(AbortBody, request.body);
      return operations.abortRelease({ releaseId, by: body.by ?? context.defaultOperator, reason: body.reason, ...(body.force !== undefined && { force: body.force }) });
    }
    default:
      return undefined;
  }
}

const waveOf = (body: { stageIndex?: number | undefined }) => (body.stageIndex !== undefined ? { stageIndex: body.stageIndex } : {});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new BadControlRequestError(problems.join('; '));
}
