// What an operator can do to releases, as one interface: list, describe, answer an approval, abort. The CLI commands
// and the dashboard only ever talk to this. Three things implement it: the use cases on a whole set of ports (the live
// local cloud, or AWS), an HTTP client of the loopback control server (a release running in another process), and a
// read-only view of a saved state directory.
import type { AbortInput, AbortResult } from '#app/abort-release.ts';
import type { ReleaseClock, ReleaseView } from '#app/describe-release.ts';
import type { ReleaseStatus } from '#domain/status.ts';
import type { ReleaseRecord } from '#ports/release-store.ts';

export interface ReleaseSummary {
  releaseId: string;
  product: string;
  version: string;
  status: ReleaseStatus;
  stageIndex: number;
  stageName: string;
  stageCount: number;
  /** True while an operator's answer is awaited. */
  awaitingApproval: boolean;
  createdAt: string;
  updatedAt: string;
  /** `simulated`: times after createdAt are on the embedded cloud's simulated clock (ReleaseView.clock). */
  clock?: ReleaseClock;
}

export type AnswerVia = 'cli' | 'dashboard' | 'api';

export interface ApprovalAnswer {
  releaseId: string;
  answer: 'approve' | 'reject';
  by: string;
  via: AnswerVia;
  /** The approver's note, or the reason for a reject (required for a reject). */
  comment?: string;
  /** The stage (wave) the operator looked at: a release that waits at another one refuses the answer as stale. */
  stageIndex?: number;
}

export interface ApprovalAnswerResult {
  /** What happened, e.g. `approved`, `rejected`, `not-waiting`, `replayed`, `expired`, `unknown-release`. */
  outcome: string;
  /** True when this answer was the one that resumed (or stopped) the workflow. */
  answered: boolean;
  /** One plain line for a person. */
  message: string;
}

export interface ReleaseOperations {
  /** Where the releases live, for people: `embedded cloud (.ota-release, live)`, `AWS dev us-east-1`. */
  readonly where: string;
  listReleases(): Promise<ReleaseSummary[]>;
  /** Throws NotFoundError (#ports/errors.ts) for an unknown release. */
  describeRelease(releaseId: string): Promise<ReleaseView>;
  answerApproval(answer: ApprovalAnswer): Promise<ApprovalAnswerResult>;
  abortRelease(input: AbortInput): Promise<AbortResult>;
  /** Releases what the operations hold (clients, servers); safe to call twice. */
  close(): Promise<void>;
}

export function summarise(record: ReleaseRecord, clock?: ReleaseClock): ReleaseSummary {
  return {
    releaseId: record.releaseId,
    product: record.request.product,
    version: record.request.firmware.version,
    status: record.status,
    stageIndex: record.stageIndex,
    stageName: record.request.stages[record.stageIndex]?.name ?? `stage ${record.stageIndex}`,
    stageCount: record.request.stages.length,
    awaitingApproval: record.status === 'AWAITING_APPROVAL',
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(clock && { clock }),
  };
}

/** Newest first: the release someone is looking for is usually the latest. */
export function newestFirst(a: ReleaseSummary, b: ReleaseSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || a.releaseId.localeCompare(b.releaseId);
}
