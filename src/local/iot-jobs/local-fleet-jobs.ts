// The FleetJobs port (the IoT Jobs control plane the use cases call) over the in-memory engine.
// Validation follows CreateJob's documented limits so a request the local cloud accepts is one AWS would accept, and
// every call goes through the control-plane meter (control-plane.ts): counted by AWS API, throttled over its rate.
import { isIotComment } from '#domain/iot-text.ts';
import type { FleetQuery } from '#domain/fleet-query.ts';
import { type ExecutionStatus, type FleetJobs, type JobSnapshot, type JobSpec, MAX_JOB_TARGETS } from '#ports/fleet-jobs.ts';
import { NotFoundError } from '#ports/errors.ts';
import { LocalCloudError } from '../errors.ts';
import { ControlPlane } from './control-plane.ts';
import type { JobsEngine } from './engine.ts';
import { CODE_OF_STATUS, Exec, STATUS_OF_CODE } from './execution-status.ts';
import { sortedUnion } from './things.ts';

/** CreateJob refused the request (the AWS adapter maps IoT's InvalidRequestException to the same meaning). */
export class InvalidJobRequestError extends LocalCloudError {
  override name = 'InvalidJobRequestError';
}

const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const REASON_CODE = /^[\p{Lu}\p{Nd}_]+$/u;
const PAGE = 250;

export class LocalFleetJobs implements FleetJobs {
  constructor(
    private readonly engine: JobsEngine,
    readonly controlPlane: ControlPlane = new ControlPlane(engine.scheduler),
  ) {}

  async createJob(spec: JobSpec): Promise<{ jobId: string; created: boolean }> {
    this.controlPlane.call('CreateJob', `CreateJob ${spec.jobId}`);
    const existing = this.engine.getJob(spec.jobId);
    if (existing) return { jobId: spec.jobId, created: false };
    const problems = validate(spec);
    if (problems.length > 0) throw new InvalidJobRequestError(`CreateJob ${spec.jobId}: ${problems.join('; ')}`);
    const registry = this.engine.things;
    const groups = spec.targets.thingGroups ?? [];
    const missingGroups = groups.filter((group) => !registry.hasGroup(group));
    if (missingGroups.length > 0) throw new NotFoundError(`CreateJob ${spec.jobId}: no thing group ${missingGroups.join(', ')}`);
    const names = spec.targets.things ?? [];
    const indices = new Int32Array(names.length);
    const missing: string[] = [];
    names.forEach((name, at) => {
      const index = registry.indexOf(name);
      if (index === undefined) missing.push(name);
      else indices[at] = index;
    });
    if (missing.length > 0) throw new NotFoundError(`CreateJob ${spec.jobId}: no thing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`);
    // SNAPSHOT: the targets are resolved now (a dynamic group's membership as its query stands); later group changes,
    // or deleting the group, do not change the job.
    const members = registry.membersOfAll(groups);
    // One group's members are sorted and distinct already; anything more is merged.
    const things = groups.length <= 1 && indices.length === 0 ? members : sortedUnion([members, indices]);
    const targetArns = () => [...groups.map((group) => registry.groupArn(group)), ...names.map((name) => registry.thingArn(name))];
    const { created } = this.engine.createJob(spec, things, targetArns);
    return { jobId: spec.jobId, created };
  }

  async describeJob(jobId: string): Promise<JobSnapshot> {
    this.controlPlane.call('DescribeJob', `DescribeJob ${jobId}`);
    const job = this.engine.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    return {
      jobId,
      status: job.jobStatus,
      counts: job.stageCounts(),
      ...(job.reasonCode ? { reasonCode: job.reasonCode } : {}),
      createdAt: new Date(job.createdAt).toISOString(),
      ...(job.completedAt !== undefined ? { completedAt: new Date(job.completedAt).toISOString() } : {}),
    };
  }

  async cancelJob(jobId: string, options: { reasonCode: string; comment: string; force?: boolean }): Promise<void> {
    this.controlPlane.call('CancelJob', `CancelJob ${jobId}`);
    if (options.reasonCode.length > 128 || !REASON_CODE.test(options.reasonCode)) {
      throw new InvalidJobRequestError(`CancelJob ${jobId}: reasonCode must be up to 128 of upper-case letters, digits and _`);
    }
    // The API model types `comment` as `[^\p{C}]+`, at most 2,028 characters: no line breaks, tabs or other control characters.
    if (!isIotComment(options.comment)) throw new InvalidJobRequestError(`CancelJob ${jobId}: comment must be 1–2,028 characters with no control characters (pattern [^\\p{C}]+)`);
    if (!this.engine.getJob(jobId)) throw new NotFoundError(`no job ${jobId}`);
    this.engine.cancelJob(jobId, options);
  }

  async *listExecutions(jobId: string, status?: ExecutionStatus): AsyncIterable<{ thingName: string; status: ExecutionStatus }> {
    const job = this.engine.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    const wanted = status === undefined ? undefined : CODE_OF_STATUS[status];
    const registry = this.engine.things;
    this.controlPlane.call('ListJobExecutionsForJob', `ListJobExecutionsForJob ${jobId}`);
    let page: Array<{ thingName: string; status: ExecutionStatus }> = [];
    for (let index = 0; index < job.notified; index++) {
      const code = job.status[index]!;
      if (code === Exec.NONE || (wanted !== undefined && code !== wanted)) continue;
      page.push({ thingName: registry.nameOf(job.things[index]!), status: STATUS_OF_CODE[code] as ExecutionStatus });
      if (page.length === PAGE) {
        yield* page;
        page = [];
        this.controlPlane.call('ListJobExecutionsForJob', `ListJobExecutionsForJob ${jobId}`); // the next page
      }
    }
    yield* page;
  }

  async *listThingsInGroups(thingGroups: string[]): AsyncIterable<string> {
    const registry = this.engine.things;
    const missing = thingGroups.filter((group) => !registry.hasGroup(group));
    if (missing.length > 0) throw new NotFoundError(`no thing group ${missing.join(', ')}`);
    // One ListThingsInThingGroup page of 250 per group, as the AWS adapter pages (a thing in two groups is listed twice).
    const seen = new Set<number>();
    for (const group of thingGroups) {
      const members = registry.membersOf(group);
      for (let at = 0; at === 0 || at < members.length; at += PAGE) {
        this.controlPlane.call('ListThingsInThingGroup', `ListThingsInThingGroup ${group}`);
        for (const index of members.slice(at, at + PAGE)) {
          if (seen.has(index)) continue;
          seen.add(index);
          yield registry.nameOf(index);
        }
      }
    }
  }

  async countThings(query: FleetQuery): Promise<number> {
    this.controlPlane.call('GetStatistics');
    return this.refusedAsInvalid(() => this.engine.things.countMatching(query));
  }

  async ensureDynamicGroup(name: string, query: FleetQuery): Promise<{ ready: boolean }> {
    this.controlPlane.call('CreateDynamicThingGroup', `CreateDynamicThingGroup ${name}`);
    this.refusedAsInvalid(() => this.engine.things.checkQuery(query));
    this.engine.things.createDynamicGroup(name, query); // false for a retried create (AWS: ResourceAlreadyExists)
    // The AWS adapter then describes the group for its build status.
    this.controlPlane.call('DescribeThingGroup', `DescribeThingGroup ${name}`);
    // The embedded index is always current: a new dynamic group is ACTIVE at once.
    return { ready: true };
  }

  async deleteDynamicGroup(name: string): Promise<void> {
    this.controlPlane.call('DeleteDynamicThingGroup', `DeleteDynamicThingGroup ${name}`);
    this.engine.things.deleteDynamicGroup(name);
  }

  /** Asks the embedded index; a query fleet indexing would refuse (too many terms) is an invalid request. */
  private refusedAsInvalid<T>(ask: () => T): T {
    try {
      return ask();
    } catch (error) {
      if (error instanceof RangeError) throw new InvalidJobRequestError(`fleet-indexing query refused: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

function validate(spec: JobSpec): string[] {
  const problems: string[] = [];
  if (!JOB_ID.test(spec.jobId)) problems.push('jobId must be 1–64 of [a-zA-Z0-9_-]');
  if (spec.document.length > 32768) problems.push(`document is ${spec.document.length} characters, above 32,768`);
  if (!isIotComment(spec.description)) problems.push('description must be 1–2,028 characters with no control characters (pattern [^\\p{C}]+)');
  const targetCount = (spec.targets.thingGroups?.length ?? 0) + (spec.targets.things?.length ?? 0);
  if (targetCount === 0) problems.push('targets must name at least one thing or thing group');
  if (targetCount > MAX_JOB_TARGETS) problems.push(`targets name ${targetCount} things and groups; a job takes at most ${MAX_JOB_TARGETS}`);
  const rollout = spec.jobExecutionsRolloutConfig;
  if (rollout?.maximumPerMinute !== undefined && rollout.maximumPerMinute < 1) problems.push('maximumPerMinute must be at least 1');
  const exponential = rollout?.exponentialRate;
  if (exponential) {
    if (exponential.baseRatePerMinute < 1 || exponential.baseRatePerMinute > 1000) problems.push('baseRatePerMinute must be 1–1000');
    if (exponential.incrementFactor < 1.1 || exponential.incrementFactor > 5) problems.push('incrementFactor must be 1.1–5');
    const criteria = exponential.rateIncreaseCriteria;
    if (criteria.numberOfNotifiedThings === undefined && criteria.numberOfSucceededThings === undefined) problems.push('rateIncreaseCriteria needs numberOfNotifiedThings or numberOfSucceededThings');
  }
  for (const criterion of spec.abortConfig?.criteriaList ?? []) {
    if (criterion.thresholdPercentage > 100 || criterion.thresholdPercentage <= 0) problems.push('abort thresholdPercentage must be above 0 and at most 100');
    if (criterion.minNumberOfExecutedThings < 1) problems.push('abort minNumberOfExecutedThings must be at least 1');
  }
  const timeout = spec.timeoutConfig?.inProgressTimeoutInMinutes;
  if (timeout !== undefined && (timeout < 1 || timeout > 10080)) problems.push('inProgressTimeoutInMinutes must be 1–10080');
  const retries = spec.jobExecutionsRetryConfig?.criteriaList ?? [];
  if (retries.length > 2) problems.push('jobExecutionsRetryConfig allows at most 2 criteria');
  if (retries.some((c) => c.numberOfRetries < 0 || c.numberOfRetries > 10)) problems.push('numberOfRetries must be 0–10');
  return problems;
}
