// The FleetJobs port (the IoT Jobs control plane the use cases call) over the in-memory engine.
// Validation follows CreateJob's documented limits so a request the local cloud accepts is one AWS would accept.
import type { ExecutionStatus, FleetJobs, JobSnapshot, JobSpec } from '#ports/fleet-jobs.ts';
import { NotFoundError } from '#ports/errors.ts';
import { LocalCloudError } from '../errors.ts';
import type { JobsEngine } from './engine.ts';
import { CODE_OF_STATUS, Exec, STATUS_OF_CODE } from './execution-status.ts';

/** CreateJob refused the request (the AWS adapter maps IoT's InvalidRequestException to the same meaning). */
export class InvalidJobRequestError extends LocalCloudError {
  override name = 'InvalidJobRequestError';
}

const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const REASON_CODE = /^[\p{Lu}\p{Nd}_]+$/u;
const PAGE = 250;

export class LocalFleetJobs implements FleetJobs {
  constructor(private readonly engine: JobsEngine) {}

  async createJob(spec: JobSpec): Promise<{ jobId: string; created: boolean }> {
    const existing = this.engine.getJob(spec.jobId);
    if (existing) return { jobId: spec.jobId, created: false };
    const problems = validate(spec);
    if (problems.length > 0) throw new InvalidJobRequestError(`CreateJob ${spec.jobId}: ${problems.join('; ')}`);
    const registry = this.engine.things;
    let things: Int32Array;
    let targetArns: () => string[];
    if ('thingGroups' in spec.targets) {
      const missing = spec.targets.thingGroups.filter((group) => !registry.hasGroup(group));
      if (missing.length > 0) throw new NotFoundError(`CreateJob ${spec.jobId}: no thing group ${missing.join(', ')}`);
      things = registry.membersOfAll(spec.targets.thingGroups);
      const groups = spec.targets.thingGroups;
      targetArns = () => groups.map((group) => registry.groupArn(group));
    } else {
      const indices = new Int32Array(spec.targets.things.length);
      const missing: string[] = [];
      spec.targets.things.forEach((name, at) => {
        const index = registry.indexOf(name);
        if (index === undefined) missing.push(name);
        else indices[at] = index;
      });
      if (missing.length > 0) throw new NotFoundError(`CreateJob ${spec.jobId}: no thing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`);
      indices.sort();
      things = dedupe(indices);
      const targets = things;
      targetArns = () => Array.from(targets, (index) => registry.thingArn(registry.nameOf(index)));
    }
    const { created } = this.engine.createJob(spec, things, targetArns);
    return { jobId: spec.jobId, created };
  }

  async describeJob(jobId: string): Promise<JobSnapshot> {
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
    if (options.reasonCode.length > 128 || !REASON_CODE.test(options.reasonCode)) {
      throw new InvalidJobRequestError(`CancelJob ${jobId}: reasonCode must be up to 128 of upper-case letters, digits and _`);
    }
    if (options.comment.length > 2028) throw new InvalidJobRequestError(`CancelJob ${jobId}: comment is longer than 2,028 characters`);
    if (!this.engine.getJob(jobId)) throw new NotFoundError(`no job ${jobId}`);
    this.engine.cancelJob(jobId, options);
  }

  async *listExecutions(jobId: string, status?: ExecutionStatus): AsyncIterable<{ thingName: string; status: ExecutionStatus }> {
    const job = this.engine.getJob(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    const wanted = status === undefined ? undefined : CODE_OF_STATUS[status];
    const registry = this.engine.things;
    let page: Array<{ thingName: string; status: ExecutionStatus }> = [];
    for (let index = 0; index < job.notified; index++) {
      const code = job.status[index]!;
      if (code === Exec.NONE || (wanted !== undefined && code !== wanted)) continue;
      page.push({ thingName: registry.nameOf(job.things[index]!), status: STATUS_OF_CODE[code] as ExecutionStatus });
      if (page.length === PAGE) {
        yield* page;
        page = [];
      }
    }
    yield* page;
  }

  async *listThingsInGroups(thingGroups: string[]): AsyncIterable<string> {
    const registry = this.engine.things;
    const missing = thingGroups.filter((group) => !registry.hasGroup(group));
    if (missing.length > 0) throw new NotFoundError(`no thing group ${missing.join(', ')}`);
    for (const index of registry.membersOfAll(thingGroups)) yield registry.nameOf(index);
  }
}

function validate(spec: JobSpec): string[] {
  const problems: string[] = [];
  if (!JOB_ID.test(spec.jobId)) problems.push('jobId must be 1–64 of [a-zA-Z0-9_-]');
  if (spec.document.length > 32768) problems.push(`document is ${spec.document.length} characters, above 32,768`);
  if (spec.description.length > 2028) problems.push('description is longer than 2,028 characters');
  const targetCount = 'thingGroups' in spec.targets ? spec.targets.thingGroups.length : spec.targets.things.length;
  if (targetCount === 0) problems.push('targets must name at least one thing or thing group');
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

function dedupe(sorted: Int32Array): Int32Array {
  let write = 0;
  for (let read = 0; read < sorted.length; read++) {
    if (read === 0 || sorted[read] !== sorted[read - 1]) sorted[write++] = sorted[read]!;
  }
  return write === sorted.length ? sorted : sorted.slice(0, write);
}
