// The release request: what a release engineer writes (YAML or JSON), validated once at every edge.
// Parsing normalises it (durations to seconds, percentages to fractions, defaults filled in), and parsing the
// normalised form again gives the same value, so the workflow input can be re-checked by every Lambda.
import { z } from 'zod';
import { duration } from './duration.ts';
import { DEFAULT_REPORT_EVERY_SECONDS } from './health-report.ts';
import { gateNameOf, HealthGateSpec } from './health-gates/gate-spec.ts';
import { defaultUnacceptableRate } from './sequential-test.ts';
import { fraction } from './rate-field.ts';
import { BlastRadiusBudget } from './blast-radius-budget.ts';

/** jobIds are `<releaseId>-s<stage>` or `<releaseId>-rb<stage>` and must fit IoT's 64 characters. */
export const RELEASE_ID_MAX = 48;
/** Twelve query terms, less the two a wrapped cohort window takes. */
export const MAX_FLEET_GROUPS_WITH_PERCENT = 10;
const NAME = /^[a-zA-Z0-9_-]+$/;
const THING_GROUP = /^[a-zA-Z0-9:_-]+$/;
const THING_GROUP_MESSAGE = 'a thing group name has letters, digits, :, _ and - only';

export const S3ObjectRef = z.strictObject({
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
  versionId: z.string().optional(),
});
export type S3ObjectRef = z.infer<typeof S3ObjectRef>;

/** Where an image comes from: a local file (uploaded by `start`, read by the simulator) or an S3 object. */
export const FirmwareSource = z.union([z.strictObject({ file: z.string().min(1) }), z.strictObject({ s3: S3ObjectRef })], {
  error: 'expected exactly one of { file: <path> } or { s3: { bucket, key, versionId? } }',
});
export type FirmwareSource = z.infer<typeof FirmwareSource>;

export const DocumentFlavour = z.enum(['generic', 'nrf']);
export type DocumentFlavour = z.infer<typeof DocumentFlavour>;

const Version = z.string().min(1).max(64).regex(/^[0-9A-Za-z.+_-]+$/, 'expected a version such as 2.4.0');

export const Firmware = z.strictObject({
  version: Version,
  previousVersion: Version,
  source: FirmwareSource,
  /** The image that rollback jobs send; absent means devices roll back to the slot they kept. */
  rollbackSource: FirmwareSource.optional(),
  flavour: DocumentFlavour.default('generic'),
  releaseNotes: z.string().max(2000).default(''),
  /**
   * The signed manifest's anti-rollback counter (default 0): devices refuse a manifest whose counter is below that of
   * an image they committed. Bump it only when no earlier version may ever run again.
   */
  securityCounter: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** How long devices accept the signed manifest after the release starts (default 30d); later they refuse it. */
  manifestLifetime: duration({ min: 3600, max: 366 * 86400 }).optional(),
});
export type Firmware = z.infer<typeof Firmware>;

export const StageTargets = z.union([
  /** Cumulative share of the fleet reached once this stage is done, e.g. canary 1 %, wave 10 %, all 100 %. */
  z.strictObject({ percent: z.number().gt(0).max(100) }),
  z.strictObject({ thingGroups: z.array(z.string().regex(THING_GROUP, THING_GROUP_MESSAGE)).min(1).max(100) }),
], { error: 'expected either { percent: 1-100 } (cumulative share of the fleet) or { thingGroups: [names] }' });
export type StageTargets = z.infer<typeof StageTargets>;

/** A stage's targets tagged by kind, so code switches on `kind` instead of probing fields. */
export type StageTarget = { kind: 'percent'; percent: number } | { kind: 'thingGroups'; thingGroups: string[] };

export function stageTarget(targets: StageTargets): StageTarget {
  return 'percent' in targets ? { kind: 'percent', percent: targets.percent } : { kind: 'thingGroups', thingGroups: targets.thingGroups };
}

export const Rollout = z.union([
  z.strictObject({ maximumPerMinute: z.number().int().min(1).max(1000) }),
  z.strictObject({
    exponential: z.strictObject({
      baseRatePerMinute: z.number().int().min(1).max(1000),
      incrementFactor: z.number().min(1.1).max(5).refine((v) => Number.isInteger(Math.round(v * 1e6) / 1e5), 'at most one decimal digit'),
      rateIncrease: z.union(
        [z.strictObject({ notifiedThings: z.number().int().min(1) }), z.strictObject({ succeededThings: z.number().int().min(1) })],
        { error: 'expected either { notifiedThings: N } or { succeededThings: N }' },
      ),
    }),
  }),
], { error: 'expected either { maximumPerMinute: N } or { exponential: { baseRatePerMinute, incrementFactor, rateIncrease } }' });
export type Rollout = z.infer<typeof Rollout>;

export const ApprovalMode = z.enum(['auto', 'manual']);

export const Stage = z.strictObject({
  name: z.string().min(1).max(32).regex(NAME, 'letters, digits, _ and - only'),
  targets: StageTargets,
  bake: duration({ min: 60, max: 7 * 86400 }),
  rollout: Rollout.default({ maximumPerMinute: 100 }),
  approval: ApprovalMode.default('auto'),
});
export type Stage = z.infer<typeof Stage>;

export const InconclusiveAction = z.enum(['extend', 'hold', 'rollback']);

export const HealthPolicy = z
  .strictObject({
    /**
     * The acceptable failure rate (p0): a stage failing at or below it is rolled back by the statistical rule with
     * probability at most 1 − confidence, over every look the workflow takes.
     */
    maxFailureRate: fraction.default(0.02),
    /**
     * The unacceptable failure rate (p1), the level a stage must not pass: a stage failing at or above it is promoted
     * with probability at most 1 − confidence. Between the two either answer is fine. Default: twice maxFailureRate.
     */
    unacceptableFailureRate: fraction.optional(),
    /** 1 − the bound on each kind of wrong call (rollback of an acceptable stage, promotion of an unacceptable one). */
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    /** Executions that must have ended before any verdict on the evidence (all of them, in a smaller stage). */
    minExecuted: z.number().int().min(1).default(20),
    /** Share of a stage's targets that must have ended before it can be promoted. */
    minCoverage: fraction.default(0.9),
    /**
     * A hard line, as IoT Jobs draws it: strictly above this rate after minExecuted, roll back whatever the statistics
     * say. It is a plain rate asked at every look, so it adds wrong rollbacks of its own; at 20 % with the other
     * defaults it adds almost none, where 10 % would add about 1.7 % and break the 95 % promise.
     */
    hardFailureRate: fraction.default(0.2),
    /**
     * Timed-out executions above this share of the executions that did not fail outright roll back, even when few
     * failed outright. Timeouts already count as failures in the sequential test; this plain line on top must sit well
     * above maxFailureRate or it breaks the promise: at 5 % with the other defaults a stage timing out at the 2 % limit
     * was rolled back about 24 % of the time; at 20 %, 4 %.
     */
    maxTimeoutRate: fraction.default(0.2),
    /** How much each outcome counts as a failure, from 0 (not at all) to 1 (a whole failure). */
    failureWeights: z
      .strictObject({
        failed: z.number().min(0).max(1).default(1),
        rejected: z.number().min(0).max(1).default(1),
        timedOut: z.number().min(0).max(1).default(1),
      })
      .default({ failed: 1, rejected: 1, timedOut: 1 }),
    inconclusive: InconclusiveAction.default('extend'),
    maxExtensions: z.number().int().min(0).max(10).default(2),
    /** How much longer each extension bakes; defaults to half the stage's bake. */
    extendBy: duration({ min: 60, max: 7 * 86400 }).optional(),
    /**
     * Post-update health gates (crash and reboot rates against a concurrent control, devices that never came back,
     * CloudWatch alarms). With none, devices are not asked for health reports.
     */
    gates: z.array(HealthGateSpec).max(10).default([]),
    /** How often devices on a release publish health reports (the job document tells them). */
    reportEvery: duration({ min: 10, max: 86400 }).default(DEFAULT_REPORT_EVERY_SECONDS),
    /** After an update, how long before a device's reports count towards the rate gates (first-boot noise). */
    warmUp: duration({ min: 0, max: 7 * 86400 }).default(1800),
  })
  // Filled in here rather than left to each reader, so the workflow input states the rate it is judged against.
  .transform(({ unacceptableFailureRate, ...policy }) => ({
    ...policy,
    unacceptableFailureRate: unacceptableFailureRate ?? defaultUnacceptableRate(policy.maxFailureRate),
  }));
export type HealthPolicy = z.infer<typeof HealthPolicy>;

export const FailureType = z.enum(['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL']);

/** The IoT-native safety net: what IoT Jobs enforces by itself even if the workflow stalls. */
export const SafetyNet = z.strictObject({
  abort: z
    .array(
      z.strictObject({
        failureType: FailureType,
        thresholdPercentage: z.number().gt(0).max(100),
        minNumberOfExecutedThings: z.number().int().min(1),
      }),
    )
    .min(1)
    .default([{ failureType: 'ALL', thresholdPercentage: 20, minNumberOfExecutedThings: 10 }]),
  inProgressTimeout: duration({ min: 60, max: 10080 * 60 }).default(3600),
  retries: z
    .array(z.strictObject({ failureType: z.enum(['FAILED', 'TIMED_OUT', 'ALL']), numberOfRetries: z.number().int().min(0).max(10) }))
    .max(2)
    .default([]),
});
export type SafetyNet = z.infer<typeof SafetyNet>;

export const ApprovalSettings = z.strictObject({
  timeout: duration({ min: 60, max: 30 * 86400 }).default(86400),
  /** What an unanswered approval means. Rejecting (and rolling back) is the safe default. */
  onTimeout: z.enum(['reject', 'approve']).default('reject'),
  /** Where approval requests go: an SNS topic ARN in AWS, ignored by the local cloud. */
  notify: z.string().optional(),
});
export type ApprovalSettings = z.infer<typeof ApprovalSettings>;

export const ReleaseRequest = z
  .strictObject({
    releaseId: z.string().min(1).max(RELEASE_ID_MAX).regex(NAME, 'letters, digits, _ and - only'),
    product: z.string().min(1).max(128),
    firmware: Firmware,
    fleet: z.strictObject({
      thingGroups: z.array(z.string().regex(THING_GROUP, THING_GROUP_MESSAGE)).min(1).max(100),
      /** The thing attribute holding each thing's cohort (0000–9999) that percent waves select on; default otaCohort. */
      cohortAttribute: z.string().min(1).max(128).regex(/^[a-zA-Z0-9_.,@/:#-]+$/, 'a thing attribute name: letters, digits and _.,@/:#- only').optional(),
    }),
    stages: z.array(Stage).min(1).max(20),
    health: HealthPolicy.default(HealthPolicy.parse({})),
    safetyNet: SafetyNet.default(SafetyNet.parse({})),
    approval: ApprovalSettings.default(ApprovalSettings.parse({})),
    /** What a defect may cost and how soon a good release must be out; `assess` measures it, `validate` warns. */
    budget: BlastRadiusBudget.optional(),
  })
  // Run the consistency checks even when some fields failed, so one run lists every problem (zod skips refinements
  // after a failed field unless `when` says otherwise); the checks therefore read fields defensively.
  .superRefine((request, ctx) => checkConsistency(request as unknown as Loose, ctx), { when: (payload) => isRecord(payload.value) });

/** The request as the consistency checks see it: any field may still be invalid (raw input) when they run. */
interface Loose {
  fleet?: { thingGroups?: unknown };
  firmware?: { version?: unknown; previousVersion?: unknown; flavour?: unknown; rollbackSource?: unknown };
  stages?: unknown;
  health?: { maxFailureRate?: unknown; unacceptableFailureRate?: unknown; hardFailureRate?: unknown; gates?: unknown };
  safetyNet?: { abort?: unknown; retries?: unknown };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const records = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? value.map((item) => (isRecord(item) ? item : {})) : []);

function checkConsistency(request: Loose, ctx: z.RefinementCtx): void {
  const stages = records(request.stages);
  const percentOf = (stage: Record<string, unknown>) => (isRecord(stage.targets) && typeof stage.targets.percent === 'number' ? stage.targets.percent : undefined);
  // Percent stages are cumulative, so they must grow; the last stage must reach the whole fleet.
  let previous = 0;
  stages.forEach((stage, index) => {
    const percent = percentOf(stage);
    if (percent === undefined) return;
    if (percent <= previous) {
      ctx.addIssue({ code: 'custom', path: ['stages', index, 'targets', 'percent'], message: `must be above the previous stage's ${previous}% (percentages are cumulative)` });
    }
    previous = percent;
  });
  const names = new Set<unknown>();
  stages.forEach((stage, index) => {
    if (typeof stage.name !== 'string') return;
    if (names.has(stage.name)) ctx.addIssue({ code: 'custom', path: ['stages', index, 'name'], message: `duplicate stage name "${stage.name}"` });
    names.add(stage.name);
  });
  const lastPercent = stages.length > 0 ? percentOf(stages[stages.length - 1]!) : undefined;
  if (lastPercent !== undefined && lastPercent !== 100) {
    ctx.addIssue({ code: 'custom', path: ['stages', stages.length - 1, 'targets', 'percent'], message: `the last percent stage must reach 100% of the fleet, got ${lastPercent}%` });
  }
  // A percent wave is one fleet-indexing query: the fleet's groups and up to two cohort ranges, twelve terms at most.
  const fleet = isRecord(request.fleet) ? request.fleet : {};
  const groupCount = Array.isArray(fleet.thingGroups) ? fleet.thingGroups.length : 0;
  if (groupCount > MAX_FLEET_GROUPS_WITH_PERCENT && stages.some((stage) => percentOf(stage) !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['fleet', 'thingGroups'], message: `percent stages select from at most ${MAX_FLEET_GROUPS_WITH_PERCENT} fleet groups (a fleet-indexing query has at most 12 terms), got ${groupCount}` });
  }
  const firmware = isRecord(request.firmware) ? request.firmware : {};
  if (typeof firmware.version === 'string' && firmware.version === firmware.previousVersion) {
    ctx.addIssue({ code: 'custom', path: ['firmware', 'version'], message: 'must differ from previousVersion' });
  }
  if (firmware.flavour === 'nrf' && !firmware.rollbackSource) {
    ctx.addIssue({ code: 'custom', path: ['firmware', 'rollbackSource'], message: 'required for nRF devices: they cannot switch back to a kept slot through a job, so a rollback sends the old image' });
  }
  const health = isRecord(request.health) ? request.health : {};
  if (typeof health.hardFailureRate === 'number' && typeof health.maxFailureRate === 'number' && health.hardFailureRate < health.maxFailureRate) {
    ctx.addIssue({ code: 'custom', path: ['health', 'hardFailureRate'], message: `must be at least maxFailureRate (${health.maxFailureRate * 100}%): the hard line sits above the statistical one` });
  }
  if (typeof health.unacceptableFailureRate === 'number' && typeof health.maxFailureRate === 'number' && health.unacceptableFailureRate <= health.maxFailureRate) {
    ctx.addIssue({
      code: 'custom',
      path: ['health', 'unacceptableFailureRate'],
      message: `must be above maxFailureRate (${health.maxFailureRate * 100}%): the judge tells an acceptable rate from an unacceptable one, so they cannot meet`,
    });
  }
  if (health.maxFailureRate === 1) {
    ctx.addIssue({ code: 'custom', path: ['health', 'maxFailureRate'], message: 'must be below 100%: at 100% no failure rate is unacceptable, so nothing could be caught' });
  }
  if (health.maxFailureRate === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['health', 'maxFailureRate'],
      message: 'must be above 0%: the judge weighs an acceptable rate against an unacceptable one, and a stage allowed no failure at all would roll back on its first; use a small rate such as 0.5%',
    });
  }
  checkGates(ctx, records(health.gates));
  const safetyNet = isRecord(request.safetyNet) ? request.safetyNet : {};
  checkDistinct(ctx, records(safetyNet.abort).map((criterion) => criterion.failureType), ['safetyNet', 'abort'], 'abort criterion');
  const retries = records(safetyNet.retries);
  checkDistinct(ctx, retries.map((retry) => retry.failureType), ['safetyNet', 'retries'], 'retry criterion');
  const totalRetries = retries.reduce((sum, retry) => sum + (typeof retry.numberOfRetries === 'number' ? retry.numberOfRetries : 0), 0);
  if (totalRetries > 10) {
    ctx.addIssue({ code: 'custom', path: ['safetyNet', 'retries'], message: `IoT Jobs allows 10 retries in total across failure types, got ${totalRetries}` });
  }
}

function checkGates(ctx: z.RefinementCtx, gates: Array<Record<string, unknown>>): void {
  const names = gates.map((gate) => (isLooseGate(gate) ? gateNameOf(gate) : undefined));
  names.forEach((name, index) => {
    if (name !== undefined && names.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: ['health', 'gates', index, 'name'], message: `a second gate named "${name}"; give each gate its own name` });
  });
  gates.forEach((gate, index) => {
    if (typeof gate.maxRatio === 'number' && typeof gate.unacceptableRatio === 'number' && gate.unacceptableRatio <= gate.maxRatio) {
      ctx.addIssue({ code: 'custom', path: ['health', 'gates', index, 'unacceptableRatio'], message: `must be above maxRatio (${gate.maxRatio}): the gate tells an acceptable ratio from an unacceptable one, so they cannot meet` });
    }
  });
}

/** Enough of a gate to name it (names are only compared when every field they use is there). */
function isLooseGate(gate: Record<string, unknown>): gate is HealthGateSpec {
  if (gate.name !== undefined) return typeof gate.name === 'string';
  return (gate.kind === 'rate' && typeof gate.metric === 'string') || gate.kind === 'silence' || (gate.kind === 'alarm' && typeof gate.alarmName === 'string');
}

function checkDistinct(ctx: z.RefinementCtx, types: unknown[], path: Array<string | number>, what: string): void {
  types.forEach((type, index) => {
    if (typeof type === 'string' && types.indexOf(type) !== index) ctx.addIssue({ code: 'custom', path: [...path, index, 'failureType'], message: `a second ${what} for ${type}; IoT Jobs takes one per failure type` });
  });
}

/** A validated, normalised release request: the workflow's input. */
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;
/** What a person writes: durations as text, rates as `2%`, defaults left out. */
export type ReleaseRequestInput = z.input<typeof ReleaseRequest>;
