// Verdicts and decision records: every judgement, approval answer and action is kept with its evidence.
import type { GateResult } from './health-gates/gate-result.ts';
import type { SequentialEvidence } from './sequential-test.ts';
import type { StageCounts } from './stage-counts.ts';

export const Verdict = {
  /** The evidence says the stage is healthy: go on. */
  PROMOTE: 'PROMOTE',
  /** The evidence says the firmware is bad: cancel and send devices back. */
  ROLLBACK: 'ROLLBACK',
  /** Not enough evidence yet: bake longer (bounded by the policy's maxExtensions). */
  EXTEND: 'EXTEND',
  /** Not enough evidence and the policy wants a person to decide. */
  HOLD: 'HOLD',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export interface Evidence {
  counts: StageCounts;
  /** succeeded + failed + rejected + timedOut. */
  executed: number;
  /** Weighted failures (failed, rejected and timed out, with the policy's weights). */
  failures: number;
  failureRate: number;
  confidence: number;
  /** The acceptable failure rate (p0). */
  maxFailureRate: number;
  /** The unacceptable failure rate (p1): a stage failing at it must not be promoted. */
  unacceptableFailureRate: number;
  /** The sequential test on these counts: its likelihood ratio, its lines and the error budget (sequential-test.ts). */
  sequential: SequentialEvidence;
  /** executed / targeted (1 when nothing was targeted). */
  coverage: number;
  /** timedOut / (succeeded + timedOut): the share of executions that did not report a failure but went silent. */
  timeoutRate: number;
  bakedSeconds: number;
  /**
   * Devices that reported SUCCEEDED and were later found back on the previous version (a silent slot rollback), when
   * health reports are on: already moved from succeeded to failed in `counts`.
   */
  reverted?: number;
}

/** The rules a verdict rests on, so a decision record says which one fired, not only why in words. */
export const JudgeRule = {
  /** A stage with no targets has nothing to judge. */
  NO_TARGETS: 'no-targets',
  /** The sequential test's rollback line: the rate is above the acceptable one, at the policy's confidence. */
  SEQUENTIAL_ROLLBACK: 'sequential-rollback',
  /** IoT-style hard line on the failure rate. */
  HARD_FAILURE_RATE: 'hard-failure-rate',
  /** IoT-style hard line on the timeout rate. */
  HARD_TIMEOUT_RATE: 'hard-timeout-rate',
  /** The stage's job was cancelled (IoT's abort criteria or a person) before it was judged healthy. */
  JOB_CANCELED: 'job-canceled',
  /** The planned bake is not over yet. */
  BAKE_NOT_OVER: 'bake-not-over',
  /** The sequential test's promotion line, with minimum executed and coverage met. */
  SEQUENTIAL_PROMOTE: 'sequential-promote',
  /** Neither line reached, or too few executions or too little coverage: the policy's inconclusive action. */
  INCONCLUSIVE: 'inconclusive',
  /** A health gate failed: a critical one rolls back, another asks a person. */
  HEALTH_GATE_FAILED: 'health-gate-failed',
  /** The installs clear the stage but a health gate cannot tell yet: the policy's inconclusive action. */
  HEALTH_GATE_INCONCLUSIVE: 'health-gate-inconclusive',
  /** Every health gate passed (beside the install test's promotion). */
  HEALTH_GATES_PASSED: 'health-gates-passed',
} as const;
export type JudgeRule = (typeof JudgeRule)[keyof typeof JudgeRule];

export interface Judgement {
  verdict: Verdict;
  /** The rules that decided the verdict, most important first. */
  rules: JudgeRule[];
  /** Short, plain sentences, most important first: "failure rate 4.0 % (lower bound 2.6 %) is above the 2 % limit". */
  reasons: string[];
  evidence: Evidence;
  /** The health gates' results at this look, when the release has gates. */
  gates?: GateResult[];
  /** EXTEND only: how much longer to bake, in seconds. */
  extendSeconds?: number;
  /** EXTEND only: whether this uses up one of the policy's maxExtensions (finishing the planned bake does not). */
  countsAsExtension?: boolean;
}

/** Where a stage goes next once judged; the state machine's Choice reads this. */
export type Route = 'promote' | 'rollback' | 'extend' | 'approve';

interface RecordBase {
  releaseId: string;
  stageIndex: number;
  stageName: string;
  jobId?: string;
  /** ISO 8601 time from the Clock port. */
  at: string;
}

export type DecisionRecord =
  | (RecordBase & {
      kind: 'verdict';
      judgement: Judgement;
      route: Route;
      extensionsUsed: number;
      /** This stage's evaluations so far, this one included (the early checks on failure events come on top). */
      look?: number;
    })
  | (RecordBase & {
      kind: 'approval';
      answer: 'approve' | 'reject' | 'timeout';
      /** Who answered: an IAM principal, a CLI user, or `policy` for a timeout. */
      by: string;
      via: 'cli' | 'link' | 'api' | 'dashboard' | 'timeout';
      comment?: string;
      /** The verdict record the person saw when answering. */
      evidenceAt?: string;
    })
  | (RecordBase & { kind: 'action'; action: 'promote' | 'rollback' | 'complete' | 'abort'; reason: string; detail?: Record<string, unknown> });
