import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { awsEventPublisher } from '#aws/eventbridge-publisher.ts';
import { makeHandler } from '#functions/relay-job-events.ts';
import { context, rejection, sdkError, useStackEnv } from './helpers.ts';

useStackEnv();
const events = mockClient(EventBridgeClient);
const failed = { eventType: 'JOB_EXECUTION', eventId: 'e-1', timestamp: 1_790_000_000, operation: 'failed', jobId: 'gw-2-4-0-s0', thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/gw-1', status: 'FAILED', statusDetails: { step: 'verify' } };
const completed = { eventType: 'JOB', eventId: 'e-2', timestamp: 1_790_000_100, operation: 'completed', jobId: 'gw-2-4-0-s0', status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 3 } };
const handler = () => makeHandler({ events: awsEventPublisher() });

beforeEach(() => {
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
});

describe('relay-job-events', () => {
  it('puts a job-execution event on the release bus with the source and detail type the rules match', async () => {
    expect(await handler()(failed, context())).toEqual({ relayed: 1 });

    const [entry] = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entry).toEqual(
      expect.objectContaining({ EventBusName: 'ota-release-test-releases', Source: 'ota-release.iot-jobs', DetailType: 'IoT Job Execution Event', Time: new Date(1_790_000_000_000) }),
    );
    expect(JSON.parse(entry!.Detail!)).toEqual(failed);
  });

  it('relays a batch in one PutEvents per ten events', async () => {
    const batch = Array.from({ length: 12 }, (_, i) => ({ ...completed, eventId: `e-${i}` }));

    expect(await handler()(batch, context())).toEqual({ relayed: 12 });
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('throws TransientError, so the invocation is retried, when EventBridge refuses an entry (FailedEntryCount)', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });

    const error = await rejection(handler()(completed, context()));

    expect(error.name).toBe('TransientError');
    expect(error.message).toContain('e-2 (ThrottlingException)');
  });

  it('throws TransientError when PutEvents itself is throttled', async () => {
    events.on(PutEventsCommand).rejects(sdkError('ThrottlingException', 400));

    expect((await rejection(handler()(completed, context()))).name).toBe('TransientError');
  });

  it.each([
    ['a thing event', { eventType: 'THING', eventId: 'e', timestamp: 1, operation: 'CREATED' }],
    ['an execution event without a thing', { ...failed, thingArn: undefined }],
    ['a job id longer than IoT allows', { ...completed, jobId: 'j'.repeat(65) }],
  ])('rejects %s and relays nothing', async (_what, event) => {
    expect((await rejection(handler()(event, context()))).name).toBe('InvalidTaskInputError');
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
