// The workflow state document (docs/architecture.md, "The workflow state") as zod schemas: every Lambda parses what
// the state machine hands it with these, and the use cases receive the parsed, typed values.
import { z } from 'zod';
import type { Judgement, Route } from '#domain/decision.ts';
import type { FirmwareLocation, SignedFirmware } from '#domain/firmware.ts';
import { SignedManifestBlock } from '#domain/release-manifest.ts';
import { ReleaseRequest } from '#domain/release-request.ts';

const Location = z.union([
  z.object({ kind: z.literal('s3'), bucket: z.string().min(1), key: z.string().min(1), versionId: z.string().optional(), region: z.string().optional() }),
  z.object({ kind: z.literal('file'), path: z.string().min(1) }),
]) satisfies z.ZodType<FirmwareLocation>;

const Signature = z.object({
  algorithm: z.literal('ECDSA-SHA256'),
  value: z.string().min(1),
  keyId: z.string().min(1),
  signerJobId: z.string().optional(),
});

/**
 * SignedFirmware as the state machine carries it. The ASL's ResultSelector names every field, so a release without
 * a rollback image carries `rollback: null`; it becomes `undefined` here.
 */
export const SignedFirmwareState = z
  .object({
    version: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().nonnegative(),
    location: Location,
    signature: Signature,
    rollback: z
      .object({ version: z.string().min(1), location: Location, sha256: z.string().optional(), size: z.number().optional(), signature: Signature.optional(), manifest: SignedManifestBlock.optional() })
      .nullish(),
    /** The signed release manifest and revert statement; absent (null) for releases signed before manifests existed. */
    manifest: SignedManifestBlock.nullish(),
    revertManifest: SignedManifestBlock.nullish(),
  })
  .transform(({ rollback, manifest, revertManifest, ...rest }): SignedFirmware => ({
    ...rest,
    ...(rollback ? { rollback } : {}),
    ...(manifest ? { manifest } : {}),
    ...(revertManifest ? { revertManifest } : {}),
  }));

/** `$.stage`, written by CreateStageJob. */
export const StageInfo = z.object({
  index: z.number().int().min(0),
  name: z.string().min(1),
  jobId: z.string().min(1).max(64),
  targeted: z.number().int().min(0),
  bakeSeconds: z.number().int().positive(),
  approval: z.enum(['auto', 'manual']),
});
export type StageInfo = z.infer<typeof StageInfo>;

/** `$.bakeEnd`: why a bake ended, from a callback (job-completed, failures-decisive, …) or the timeout path. */
export const BakeEnd = z.object({ reason: z.string().min(1) });

const JudgementShape = z.looseObject({
  verdict: z.enum(['PROMOTE', 'ROLLBACK', 'EXTEND', 'HOLD']),
  reasons: z.array(z.string()),
  evidence: z.looseObject({ counts: z.looseObject({}) }),
});

/** `$.evaluation`, written by EvaluateMetrics. */
export const Evaluation = z.object({
  judgement: JudgementShape.transform((value) => value as unknown as Judgement),
  route: z.enum(['promote', 'rollback', 'extend', 'approve']) satisfies z.ZodType<Route>,
  extendSeconds: z.number().int().min(0).default(0),
});
export type Evaluation = z.infer<typeof Evaluation>;

/**
 * The Payload of a waitForTaskToken task (BakeWait, AwaitApproval): the callback token (up to 2,048 characters) and
 * the wait's length, which the state machine enforces with TimeoutSecondsPath and the local runner on its clock.
 */
export const CallbackTaskInput = z.object({
  token: z.string().min(1).max(2048),
  timeoutSeconds: z.number().int().positive(),
  releaseId: z.string().min(1),
  request: ReleaseRequest,
  stage: StageInfo,
});

/** `$.approval`: the operator's answer (SendTaskSuccess output), or the timeout path's `{answer: timeout}`. */
export const ApprovalAnswer = z.object({
  answer: z.enum(['approve', 'reject', 'timeout']),
  by: z.string().min(1),
  comment: z.string().optional(),
  via: z.enum(['cli', 'link', 'api', 'dashboard', 'timeout']).optional(),
});
export type ApprovalAnswer = z.infer<typeof ApprovalAnswer>;

/** `$.result`, written by PromoteOrRollback. */
export const NextStep = { NEXT_STAGE: 'NEXT_STAGE', RELEASE_COMPLETE: 'RELEASE_COMPLETE', ROLLED_BACK: 'ROLLED_BACK' } as const;
export type NextStep = (typeof NextStep)[keyof typeof NextStep];
export interface StepResult {
  next: NextStep;
  /** The stage to run next (NEXT_STAGE), or the stage the release ended on. Always set: the ASL's ResultSelector reads it. */
  nextStageIndex: number;
}

/** `$.error`, written by any Catch. */
export const CaughtError = z.object({ Error: z.string(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof CaughtError>;

/** The whole state document, as PromoteOrRollback receives it (`"state.$": "$"`). */
export const WorkflowState = z.object({
  request: ReleaseRequest,
  stageIndex: z.number().int().min(0),
  firmware: SignedFirmwareState.optional(),
  stage: StageInfo.optional(),
  bake: z.object({ seconds: z.number() }).optional(),
  bakeEnd: BakeEnd.optional(),
  evaluation: Evaluation.optional(),
  approval: ApprovalAnswer.optional(),
  result: z.unknown().optional(),
  error: CaughtError.optional(),
});
export type WorkflowState = z.infer<typeof WorkflowState>;

/** Every problem with its path, one per line: `stage.jobId: Too big: expected string to have <=64 characters`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`);
}
