// FleetJobs on the IoT Jobs control plane (@aws-sdk/client-iot).
import {
  AddThingToThingGroupCommand,
  CancelJobCommand,
  CreateJobCommand,
  type CreateJobCommandInput,
  CreateThingGroupCommand,
  DescribeJobCommand,
  IoTClient,
  type JobProcessDetails,
  paginateListJobExecutionsForJob,
  paginateListThingsInThingGroup,
} from '@aws-sdk/client-iot';
import type { JobConfigs } from '#domain/iot-configs.ts';
import { iotComment } from '#domain/iot-text.ts';
import type { StageCounts } from '#domain/stage-counts.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { ExecutionStatus, FleetJobs, JobSnapshot, JobSpec, JobStatus } from '#ports/fleet-jobs.ts';
import { type Instrument, iotArnPrefix, noInstrument, optional } from './config.ts';
import { errorName, rethrow } from './sdk-errors.ts';

// The domain's config shapes mirror the SDK's field for field; this fails to compile the day they drift apart.
type Assignable<T extends U, U> = T;
export type _ConfigsMatchTheSdk = Assignable<
  JobConfigs,
  Required<Pick<CreateJobCommandInput, 'jobExecutionsRolloutConfig' | 'abortConfig' | 'timeoutConfig'>> & Pick<CreateJobCommandInput, 'jobExecutionsRetryConfig'>
>;

/**
 * A sampled wave up to this many things is targeted thing by thing. A bigger one goes into a static thing group named
 * for the job, which the job targets: a CreateJob request then stays small whatever the wave, and a wave of 50,000
 * things does not rely on an undocumented ceiling on the number of targets. 100 is the documented cap on targets
 * associated with a job (AssociateTargetsWithJob).
 */
export const THINGS_INLINE_MAX = 100;
/** Parallel AddThingToThingGroup calls when filling a wave's group; IoT's control plane throttles past a few dozen TPS. */
const GROUP_FILL_CONCURRENCY = 8;
/** ListJobExecutionsForJob and ListThingsInThingGroup pages: the largest the API allows. */
const PAGE_SIZE = 250;

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
    const targets = await this.targetArns(spec);
    if (!targets) return { jobId: spec.jobId, created: false };
    const roleArn = this.options.presignRoleArn?.();
    try {
      await this.client.send(
        new CreateJobCommand({
          jobId: spec.jobId,
          targets,
          document: spec.document,
          description: iotComment(spec.description),
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
      await this.client.send(new CancelJobCommand({ jobId, reasonCode: options.reasonCode, comment: iotComment(options.comment), force: options.force ?? false }));
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

  /** The job's target ARNs, or undefined when a retried job already exists (its wave group is filled). */
  private async targetArns(spec: JobSpec): Promise<string[] | undefined> {
    const prefix = this.options.arnPrefix();
    if ('thingGroups' in spec.targets) return spec.targets.thingGroups.map((name) => `${prefix}thinggroup/${name}`);
    const things = spec.targets.things;
    if (things.length <= THINGS_INLINE_MAX) return things.map((name) => `${prefix}thing/${name}`);
    if (await this.jobExists(spec.jobId)) return undefined;
    await this.fillWaveGroup(spec.jobId, things);
    return [`${prefix}thinggroup/${spec.jobId}`];
  }

  private async jobExists(jobId: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeJobCommand({ jobId }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      return rethrow(error, `IoT DescribeJob ${jobId}`);
    }
  }

  /** A static group named for the job; filling it again after a retry adds nothing (membership is a set). */
  private async fillWaveGroup(groupName: string, things: string[]): Promise<void> {
    try {
      await this.client.send(
        new CreateThingGroupCommand({
          thingGroupName: groupName,
          thingGroupProperties: { thingGroupDescription: `ota-release wave of job ${groupName}` },
          tags: [{ Key: 'ota-release', Value: groupName }],
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') rethrow(error, `IoT CreateThingGroup ${groupName}`);
    }
    let next = 0;
    const worker = async () => {
      while (next < things.length) {
        const thingName = things[next++]!;
        try {
          await this.client.send(new AddThingToThingGroupCommand({ thingGroupName: groupName, thingName }));
        } catch (error) {
          rethrow(error, `IoT AddThingToThingGroup ${thingName}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(GROUP_FILL_CONCURRENCY, things.length) }, worker));
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
