import { CancelJobCommand, DescribeJobCommand, IoTClient, ListJobExecutionsForJobCommand, ListThingsInThingGroupCommand } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { IotFleetJobs, thingNameOf } from '#aws/iot-fleet-jobs.ts';
import { sdkError } from '../functions/helpers.ts';

const iot = mockClient(IoTClient);
const jobs = () => new IotFleetJobs(new IoTClient({ region: 'eu-west-1' }), { arnPrefix: () => 'arn:aws:iot:eu-west-1:123456789012:' });
const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

beforeEach(() => iot.reset());

describe('IotFleetJobs', () => {
  it('reads every counter of jobProcessDetails', async () => {
    iot.on(DescribeJobCommand).resolves({
      job: {
        status: 'IN_PROGRESS',
        jobProcessDetails: { numberOfSucceededThings: 5, numberOfFailedThings: 1, numberOfRejectedThings: 2, numberOfTimedOutThings: 3, numberOfInProgressThings: 4, numberOfQueuedThings: 6, numberOfCanceledThings: 7, numberOfRemovedThings: 8 },
      },
    });

    expect((await jobs().describeJob('j')).counts).toEqual({ targeted: 36, succeeded: 5, failed: 1, rejected: 2, timedOut: 3, inProgress: 4, queued: 6, canceled: 7, removed: 8 });
  });

  // The API model lists InvalidRequest, LimitExceeded, ResourceNotFound, ServiceUnavailable and Throttling for CancelJob.
  it.each(['COMPLETED', 'CANCELED'])('treats cancelling a %s job (IoT answers InvalidRequestException) as done', async (status) => {
    iot.on(CancelJobCommand).rejects(sdkError('InvalidRequestException', 400));
    iot.on(DescribeJobCommand).resolves({ job: { status: status as 'COMPLETED' } });

    await expect(jobs().cancelJob('j', { reasonCode: 'CANARY_FAILED', comment: 'x' })).resolves.toBeUndefined();
  });

  it('passes on an InvalidRequestException for a job that is still running: the request itself was bad', async () => {
    iot.on(CancelJobCommand).rejects(sdkError('InvalidRequestException', 400));
    iot.on(DescribeJobCommand).resolves({ job: { status: 'IN_PROGRESS' } });

    await expect(jobs().cancelJob('j', { reasonCode: 'CANARY_FAILED', comment: 'x' })).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('sends a comment IoT accepts: one line, no control characters', async () => {
    iot.on(CancelJobCommand).resolves({});

    await jobs().cancelJob('j', { reasonCode: 'CANARY_FAILED', comment: 'judge said:\n  3 of 40 failed\u0000' });

    expect(iot).toHaveReceivedCommandWith(CancelJobCommand, { comment: 'judge said: 3 of 40 failed' });
  });

  it('classes LimitExceededException as a used-up quota, not as transient', async () => {
    iot.on(CancelJobCommand).rejects(sdkError('LimitExceededException', 410));

    await expect(jobs().cancelJob('j', { reasonCode: 'CANARY_FAILED', comment: 'x' })).rejects.toMatchObject({ name: 'QuotaExceededError' });
  });

  it('turns a missing job into NotFoundError', async () => {
    iot.on(DescribeJobCommand).rejects(sdkError('ResourceNotFoundException', 404));

    await expect(jobs().describeJob('j')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('pages through executions 250 at a time', async () => {
    iot.on(ListJobExecutionsForJobCommand).resolvesOnce({ executionSummaries: [{ thingArn: 'arn:aws:iot:r:a:thing/a', jobExecutionSummary: { status: 'SUCCEEDED' } }], nextToken: 'n' }).resolves({ executionSummaries: [{ thingArn: 'arn:aws:iot:r:a:thing/b', jobExecutionSummary: { status: 'SUCCEEDED' } }] });

    expect(await collect(jobs().listExecutions('j', 'SUCCEEDED'))).toEqual([{ thingName: 'a', status: 'SUCCEEDED' }, { thingName: 'b', status: 'SUCCEEDED' }]);
    expect(iot).toHaveReceivedCommandWith(ListJobExecutionsForJobCommand, { jobId: 'j', status: 'SUCCEEDED', maxResults: 250 });
    expect(iot).toHaveReceivedCommandWith(ListJobExecutionsForJobCommand, { nextToken: 'n' });
  });

  it('lists the things of several groups once each, recursively', async () => {
    iot.on(ListThingsInThingGroupCommand, { thingGroupName: 'a' }).resolves({ things: ['t1', 't2'] });
    iot.on(ListThingsInThingGroupCommand, { thingGroupName: 'b' }).resolves({ things: ['t2', 't3'] });

    expect(await collect(jobs().listThingsInGroups(['a', 'b']))).toEqual(['t1', 't2', 't3']);
    expect(iot).toHaveReceivedCommandWith(ListThingsInThingGroupCommand, { thingGroupName: 'a', recursive: true });
  });

  it.each([
    ['arn:aws:iot:eu-west-1:123456789012:thing/gw-0001', 'gw-0001'],
    ['gw-0001', 'gw-0001'],
  ])('reads the thing name of %s', (arn, name) => {
    expect(thingNameOf(arn)).toBe(name);
  });
});
