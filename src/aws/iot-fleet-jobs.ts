// FleetJobs on the IoT Jobs control plane (@aws-sdk/client-iot).
import {
  CancelJobCommand,
  CreateDynamicThingGroupCommand,
  CreateJobCommand,
  type CreateJobCommandInput,
  DeleteDynamicThingGroupCommand,
  DescribeJobCommand,
  DescribeThingGroupCommand,
  GetStatisticsCommand,
  IoTClient,
  type JobProcessDetails,
  paginateListJobExecutionsForJob,
  paginateListThingsInThingGroup,
} from '@aws-sdk/client-iot';
import { type FleetQuery, fleetQueryString } from '#domain/fleet-query.ts';
import type { JobConfigs } from '#domain/iot-configs.ts';
import { iotComment } from '#domain/iot-text.ts';
import type { StageCounts } from '#domain/stage-counts.ts';
import { NotFoundError } from '#ports/errors.ts';
import { type ExecutionStatus, type FleetJobs, type JobSnapshot, type JobSpec, type JobStatus, MAX_JOB_TARGETS } from '#ports/fleet-jobs.ts';
import { type Instrument, iotArnPrefix, noInstrument, optional } from './config.ts';
import { errorName, rethrow } from './sdk-errors.ts';

// The domain's config shapes mirror the SDK's field for field; this fails to compile the day they drift apart.
type Assignable<T extends U, U> = T;
export type _ConfigsMatchTheSdk = Assignable<
  JobConfigs,
  Required<Pick<CreateJobCommandInput, 'jobExecutionsRolloutConfig' | 'abortConfig' | 'timeoutConfig'>> & Pick<CreateJobCommandInput, 'jobExecutionsRetryConfig'>
>;

/** ListJobExecutionsForJob and ListThingsInThingGroup pages: the largest the API allows. */
const PAGE_SIZE = 250;
/** Fleet indexing's thing index, the only one dynamic groups and GetStatistics take. */
const THING_INDEX = 'AWS_Things';

export interface IotFleetJobsOptions {
  /** `arn:<partition>:iot:<region>:<account>:`, read when first needed (see config.ts iotArnPrefix). */
  arnPrefix: () => string;
  /** Role IoT assumes to presign firmware URLs in job documents; absent means documents carry plain URLs. */
  presignRoleArn?: () => string | undefined;
  /** Seconds a presigned URL stays valid once a device asks for its document (60–3600). */
  presignExpiresInSec?: number;
}

export class IotFleetJobs implements FleetJobs {
  constructor(
    private readonly client: IoTClient,
    private readonly options: IotFleetJobsOptions,
  ) {}

  async createJob(spec: JobSpec): Promise<{ jobId: string; created: boolean }> {
    const targets = this.targetArns(spec);
    const roleArn = this.options.presignRoleArn?.();
    try {
      await this.client.send(
        new CreateJobCommand({
          jobId: spec.jobId,
          targets,
          document: spec.document,
          ...(iotComment(spec.description) && { description: iotComment(spec.description) }),
          targetSelection: spec.targetSelection,
          jobExecutionsRolloutConfig: spec.jobExecutionsRolloutConfig,
          abortConfig: spec.abortConfig,
          timeoutConfig: spec.timeoutConfig,
          ...(spec.jobExecutionsRetryConfig && { jobExecutionsRetryConfig: spec.jobExecutionsRetryConfig }),
          ...(roleArn && { presignedUrlConfig: { roleArn, expiresInSec: this.options.presignExpiresInSec ?? 3600 } }),
          tags: [{ Key: 'ota-release', Value: spec.jobId }],
        }),
      );
      return { jobId: spec.jobId, created: true };
    } catch (error) {
      // A retried step meets the job it made the first time: carry on with it.
      if (errorName(error) === 'ResourceAlreadyExistsException') return { jobId: spec.jobId, created: false };
      return rethrow(error, `IoT CreateJob ${spec.jobId}`);
    }
  }

  async describeJob(jobId: string): Promise<JobSnapshot> {
    try {
      const { job } = await this.client.send(new DescribeJobCommand({ jobId }));
      if (!job) throw new NotFoundError(`IoT DescribeJob ${jobId}: not found`);
      return {
        jobId,
        status: (job.status ?? 'IN_PROGRESS') as JobStatus,
        counts: countsOf(job.jobProcessDetails),
        ...(job.reasonCode && { reasonCode: job.reasonCode }),
        ...(job.createdAt && { createdAt: job.createdAt.toISOString() }),
        ...(job.completedAt && { completedAt: job.completedAt.toISOString() }),
      };
    } catch (error) {
      return rethrow(error, `IoT DescribeJob ${jobId}`);
    }
  }

  async cancelJob(jobId: string, options: { reasonCode: string; comment: string; force?: boolean }): Promise<void> {
    try {
      const comment = iotComment(options.comment);
      await this.client.send(new CancelJobCommand({ jobId, reasonCode: options.reasonCode, force: options.force ?? false, ...(comment && { comment }) }));
    } catch (error) {
      // The API model lists CancelJob's errors as InvalidRequest, LimitExceeded, ResourceNotFound, ServiceUnavailable
      // and Throttling: a job that already completed or was cancelled answers InvalidRequest, not a state-transition
      // error. Cancelling a finished job changes nothing, which is what the port promises; any other invalid request
      // (a bad reasonCode, say) is a bug and propagates.
      if (errorName(error) === 'InvalidRequestException' && (await this.isFinished(jobId))) return;
      rethrow(error, `IoT CancelJob ${jobId}`);
    }
  }

  private async isFinished(jobId: string): Promise<boolean> {
    const { status } = await this.describeJob(jobId);
    return status === 'COMPLETED' || status === 'CANCELED';
  }

  async *listExecutions(jobId: string, status?: ExecutionStatus): AsyncIterable<{ thingName: string; status: ExecutionStatus }> {
    try {
      const pages = paginateListJobExecutionsForJob({ client: this.client, pageSize: PAGE_SIZE }, { jobId, maxResults: PAGE_SIZE, ...(status && { status }) });
      for await (const page of pages) {
        for (const summary of page.executionSummaries ?? []) {
          if (!summary.thingArn) continue;
          yield { thingName: thingNameOf(summary.thingArn), status: (summary.jobExecutionSummary?.status ?? status ?? 'QUEUED') as ExecutionStatus };
        }
      }
    } catch (error) {
      rethrow(error, `IoT ListJobExecutionsForJob ${jobId}`);
    }
  }

  async *listThingsInGroups(thingGroups: string[]): AsyncIterable<string> {
    const seen = new Set<string>();
    for (const thingGroupName of thingGroups) {
      try {
        const pages = paginateListThingsInThingGroup({ client: this.client, pageSize: PAGE_SIZE }, { thingGroupName, recursive: true, maxResults: PAGE_SIZE });
        for await (const page of pages) {
          for (const thing of page.things ?? []) {
            if (seen.has(thing)) continue;
            seen.add(thing);
            yield thing;
          }
        }
      } catch (error) {
        rethrow(error, `IoT ListThingsInThingGroup ${thingGroupName}`);
      }
    }
  }

  async countThings(query: FleetQuery): Promise<number> {
    const queryString = fleetQueryString(query);
    try {
      const { statistics } = await this.client.send(new GetStatisticsCommand({ indexName: THING_INDEX, queryString }));
      return statistics?.count ?? 0;
    } catch (error) {
      return rethrow(error, `IoT GetStatistics ${queryString}`);
    }
  }

  async ensureDynamicGroup(name: string, query: FleetQuery): Promise<{ ready: boolean }> {
    try {
      await this.client.send(
        new CreateDynamicThingGroupCommand({
          thingGroupName: name,
          indexName: THING_INDEX,
          queryString: fleetQueryString(query),
          thingGroupProperties: { thingGroupDescription: iotComment(`ota-release wave ${name}; deleted when the release ends`) },
          tags: [{ Key: 'ota-release', Value: name }],
        }),
      );
    } catch (error) {
      // A retried step meets the group it made; its status says whether the membership is built yet.
      if (errorName(error) !== 'ResourceAlreadyExistsException') rethrow(error, `IoT CreateDynamicThingGroup ${name}`);
    }
    try {
      const { status } = await this.client.send(new DescribeThingGroupCommand({ thingGroupName: name }));
      // Dynamic groups are BUILDING, then ACTIVE (REBUILDING after a query change); static groups report no status.
      return { ready: status === undefined || status === 'ACTIVE' };
    } catch (error) {
      return rethrow(error, `IoT DescribeThingGroup ${name}`);
    }
  }

  async deleteDynamicGroup(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteDynamicThingGroupCommand({ thingGroupName: name }));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return;
      rethrow(error, `IoT DeleteDynamicThingGroup ${name}`);
    }
  }

  /** Group and thing ARNs; more than IoT's 100 targets is a bug upstream (waves are one group each). */
  private targetArns(spec: JobSpec): string[] {
    const prefix = this.options.arnPrefix();
    const arns = [...(spec.targets.thingGroups ?? []).map((name) => `${prefix}thinggroup/${name}`), ...(spec.targets.things ?? []).map((name) => `${prefix}thing/${name}`)];
    if (arns.length === 0 || arns.length > MAX_JOB_TARGETS) throw new RangeError(`CreateJob ${spec.jobId}: ${arns.length} targets; IoT takes 1 to ${MAX_JOB_TARGETS}`);
    return arns;
  }
}

export function countsOf(details: JobProcessDetails | undefined): StageCounts {
  const d = details ?? {};
  const counts = {
    succeeded: d.numberOfSucceededThings ?? 0,
    failed: d.numberOfFailedThings ?? 0,
    rejected: d.numberOfRejectedThings ?? 0,
    timedOut: d.numberOfTimedOutThings ?? 0,
    inProgress: d.numberOfInProgressThings ?? 0,
    queued: d.numberOfQueuedThings ?? 0,
    canceled: d.numberOfCanceledThings ?? 0,
    removed: d.numberOfRemovedThings ?? 0,
  };
  // IoT does not report how many things a job was meant for; the use cases replace this with the stage's own count.
  const targeted = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { targeted, ...counts };
}

/** `arn:aws:iot:us-east-1:123456789012:thing/gw-0001` → `gw-0001`. */
export function thingNameOf(thingArn: string): string {
  const slash = thingArn.lastIndexOf('/');
  return slash === -1 ? thingArn : thingArn.slice(slash + 1);
}

/** The adapter as the Lambda functions use it: configured from the stack's environment, read at first use. */
export function awsFleetJobs(instrument: Instrument = noInstrument): IotFleetJobs {
  return new IotFleetJobs(instrument(new IoTClient({})), { arnPrefix: () => iotArnPrefix(), presignRoleArn: () => optional('presignRoleArn') });
}
