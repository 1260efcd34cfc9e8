import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { awsReleaseManifests } from '#aws/s3-release-manifests.ts';
import { awsWorkflow } from '#aws/sfn-workflow.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { makeHandler } from '#functions/start-from-manifest.ts';
import { ENV, context, rejection, sdkError, useStackEnv } from './helpers.ts';

useStackEnv();
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const handler = () => makeHandler({ manifests: awsReleaseManifests(), workflow: awsWorkflow(), notifier: awsNotifier() });

const BUCKET = 'firmware-bucket';
const MANIFEST_KEY = 'firmware/gw-2.4.0/release.yaml';
const EXECUTION_ARN = `${ENV.STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:gw-2-4-0`;

const MANIFEST = `
releaseId: gw-2-4-0
product: edge-gateway
firmware:
  version: 2.4.0
  previousVersion: 2.3.1
  source: { file: gw-2.4.0.bin }
  rollbackSource: { file: ../gw-2.3.1/gw-2.3.1.bin }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 10 }, bake: 1h }
  - { name: fleet, targets: { percent: 100 }, bake: 2h }
`;

/** The S3 → EventBridge `Object Created` event, as documented. */
function objectCreated(key = MANIFEST_KEY, object: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ENV.ACCOUNT_ID,
    time: '2026-11-24T10:00:00Z',
    region: ENV.AWS_REGION,
    resources: [`arn:aws:s3:::${BUCKET}`],
    detail: {
      version: '0',
      bucket: { name: BUCKET },
      object: { key, size: 420, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'm-1', sequencer: '617f08299329d189', ...object },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: ENV.ACCOUNT_ID,
      'source-ip-address': '2001:db8::1',
      reason: 'PutObject',
    },
  };
}

const manifestBody = (text: string) => ({ Body: { transformToString: async () => text } }) as never;
const images: Record<string, string> = { 'firmware/gw-2.4.0/gw-2.4.0.bin': 'img-v7', 'firmware/gw-2.3.1/gw-2.3.1.bin': 'img-v3' };

/** The notice the function published: its message and attributes. */
function notice() {
  const calls = sns.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]!.args[0].input;
  return { message: input.Message!, kind: input.MessageAttributes?.kind?.StringValue, releaseId: input.MessageAttributes?.releaseId?.StringValue };
}

beforeEach(() => {
  s3.reset();
  sfn.reset();
  sns.reset();
  s3.on(GetObjectCommand).resolves(manifestBody(MANIFEST));
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const versionId = images[input.Key];
    if (!versionId) throw sdkError('NotFound', 404);
    return { VersionId: versionId, ContentLength: 4096, Metadata: {} };
  });
  sfn.on(DescribeExecutionCommand).rejects(sdkError('ExecutionDoesNotExist'));
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('start-from-manifest', () => {
  it('reads the uploaded manifest version and starts one execution with every image pinned to its present version', async () => {
    const result = await handler()(objectCreated(), context());

    expect(result).toEqual(expect.objectContaining({ outcome: 'started', releaseId: 'gw-2-4-0', executionId: EXECUTION_ARN }));
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: MANIFEST_KEY, VersionId: 'm-1' });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toEqual(expect.objectContaining({ stateMachineArn: ENV.STATE_MACHINE_ARN, name: 'gw-2-4-0' }));
    const input = JSON.parse(start.input!);
    expect(input.firmware.source).toEqual({ s3: { bucket: BUCKET, key: 'firmware/gw-2.4.0/gw-2.4.0.bin', versionId: 'img-v7' } });
    expect(input.firmware.rollbackSource).toEqual({ s3: { bucket: BUCKET, key: 'firmware/gw-2.3.1/gw-2.3.1.bin', versionId: 'img-v3' } });
    expect(input.stages[0].bake).toBe(3600);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('pins an s3 source the manifest names without a version, and keeps the version one names', async () => {
    s3.on(GetObjectCommand).resolves(
      manifestBody(MANIFEST.replace('{ file: gw-2.4.0.bin }', `{ s3: { bucket: ${BUCKET}, key: firmware/gw-2.4.0/gw-2.4.0.bin } }`).replace('{ file: ../gw-2.3.1/gw-2.3.1.bin }', `{ s3: { bucket: ${BUCKET}, key: firmware/gw-2.3.1/gw-2.3.1.bin, versionId: img-v3 } }`)),
    );

    await handler()(objectCreated(), context());

    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!);
    expect(input.firmware.source.s3.versionId).toBe('img-v7');
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Key: 'firmware/gw-2.3.1/gw-2.3.1.bin', VersionId: 'img-v3' });
  });

  it('reports a re-upload of a started release as already started and starts nothing', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', executionArn: EXECUTION_ARN });

    const result = await handler()(objectCreated(MANIFEST_KEY, { 'version-id': 'm-2' }), context());

    expect(result).toEqual(expect.objectContaining({ outcome: 'already-started', releaseId: 'gw-2-4-0' }));
    expect((result as { message: string }).message).toBe('gw-2-4-0 was already started (workflow RUNNING); nothing changed');
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(s3).toHaveReceivedCommandTimes(HeadObjectCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('reports already started when another delivery of the event started the execution in between', async () => {
    sfn.on(StartExecutionCommand).rejects(sdkError('ExecutionAlreadyExists'));

    const result = await handler()(objectCreated(), context());

    expect(result).toEqual(expect.objectContaining({ outcome: 'already-started', executionId: EXECUTION_ARN }));
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it.each([
    [
      'fields that do not validate',
      MANIFEST.replace('bake: 1h', 'bake: 2 hours').replace('product: edge-gateway\n', '').replace('previousVersion: 2.3.1', 'previousVersion: 2.4.0'),
      ['stages[0].bake: expected a duration', 'product: required', 'firmware.version: must differ from previousVersion'],
      'gw-2-4-0',
    ],
    ['YAML that does not parse', 'releaseId: gw-2-4-0\nfirmware: [unclosed\n', [`s3://${BUCKET}/${MANIFEST_KEY} line `], 'unknown'],
    ['an empty file', '', ['the release file is empty'], 'unknown'],
  ])('sends one notice listing every problem and starts nothing for %s', async (_case, text, expected, noticeReleaseId) => {
    s3.on(GetObjectCommand).resolves(manifestBody(text));

    const result = (await handler()(objectCreated(), context())) as { outcome: string; problems: string[] };

    expect(result.outcome).toBe('rejected');
    expect(result.problems).toHaveLength(expected.length);
    const { message, kind, releaseId } = notice();
    expect(kind).toBe('not-started');
    expect(releaseId).toBe(noticeReleaseId);
    expect(message).toContain(`s3://${BUCKET}/${MANIFEST_KEY}`);
    for (const problem of expected) expect(message).toContain(problem);
    expect(message).toContain(`${expected.length} problem`);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('reads a release.json manifest as JSON and names the JSON error', async () => {
    s3.on(GetObjectCommand).resolves(manifestBody('{"releaseId": "gw-2-4-0",'));

    await handler()(objectCreated('firmware/gw-2.4.0/release.json'), context());

    expect(notice().message).toContain(`s3://${BUCKET}/firmware/gw-2.4.0/release.json: not valid JSON`);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it.each([
    ['the release image is missing', {}, MANIFEST.replace('gw-2.4.0.bin', 'gw-2.4.9.bin'), [`firmware.source.file: no image at s3://${BUCKET}/firmware/gw-2.4.0/gw-2.4.9.bin`]],
    [
      'both images are missing',
      {},
      MANIFEST.replace('gw-2.4.0.bin', 'nope.bin').replace('../gw-2.3.1/gw-2.3.1.bin', 'old.bin'),
      [`firmware.source.file: no image at s3://${BUCKET}/firmware/gw-2.4.0/nope.bin`, `firmware.rollbackSource.file: no image at s3://${BUCKET}/firmware/gw-2.4.0/old.bin`],
    ],
    [
      'a named version is not in the bucket',
      {},
      MANIFEST.replace('{ file: gw-2.4.0.bin }', `{ s3: { bucket: ${BUCKET}, key: firmware/gw-2.4.0/gw-2.4.0.bin, versionId: img-v6 } }`),
      [`firmware.source.s3.versionId: s3://${BUCKET}/firmware/gw-2.4.0/gw-2.4.0.bin has no version "img-v6"`],
    ],
    [
      'an image says it is another firmware version',
      { 'firmware/gw-2.4.0/gw-2.4.0.bin': { 'firmware-version': '2.4.1' } },
      MANIFEST,
      [`firmware.source.file: s3://${BUCKET}/firmware/gw-2.4.0/gw-2.4.0.bin is firmware 2.4.1 (its firmware-version metadata), the manifest says 2.4.0`],
    ],
    ['a file climbs out of the bucket', {}, MANIFEST.replace('../gw-2.3.1/gw-2.3.1.bin', '../../../x.bin'), ['firmware.rollbackSource.file: "../../../x.bin" points outside the bucket']],
  ])('sends one notice and starts nothing when %s', async (_case, metadata: Record<string, Record<string, string>>, text, expected) => {
    s3.on(GetObjectCommand).resolves(manifestBody(text));
    s3.on(HeadObjectCommand).callsFake((input: { Key: string; VersionId?: string }) => {
      const versionId = images[input.Key];
      if (!versionId || (input.VersionId && input.VersionId !== versionId)) throw sdkError('NotFound', 404);
      return { VersionId: versionId, Metadata: metadata[input.Key] ?? {} };
    });

    const result = (await handler()(objectCreated(), context())) as { outcome: string; problems: string[] };

    expect(result).toEqual(expect.objectContaining({ outcome: 'rejected', releaseId: 'gw-2-4-0' }));
    expect(result.problems).toHaveLength(expected.length);
    const { message, releaseId } = notice();
    expect(releaseId).toBe('gw-2-4-0');
    for (const problem of expected) expect(message).toContain(problem);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  const IMAGE = `s3://${BUCKET}/firmware/gw-2.4.0/gw-2.4.0.bin`;
  it.each([
    ['refused (403)', () => s3.on(HeadObjectCommand).rejects(sdkError('Forbidden', 403)), `firmware.source.file: cannot read ${IMAGE} (missing, or this function may not read it)`],
    ['in a bucket that keeps no versions', () => s3.on(HeadObjectCommand).resolves({ ContentLength: 1 }), `firmware.source.file: ${IMAGE} has no version id`],
  ])('names an image that is %s', async (_case, arrange, expected) => {
    arrange();

    await handler()(objectCreated(), context());

    expect(notice().message).toContain(expected);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('sends a notice, without reading it, for a manifest too large to be a release request', async () => {
    await handler()(objectCreated(MANIFEST_KEY, { size: 300_000 }), context());

    expect(notice().message).toContain('300000 bytes is too large');
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('sends a notice when the manifest is gone before it is read', async () => {
    s3.on(GetObjectCommand).rejects(sdkError('NoSuchVersion', 404));

    await handler()(objectCreated(), context());

    expect(notice().message).toContain('cannot read it');
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it.each([
    ['Step Functions throttles StartExecution', () => sfn.on(StartExecutionCommand).rejects(sdkError('ThrottlingException'))],
    ['S3 slows down', () => s3.on(HeadObjectCommand).rejects(sdkError('SlowDown', 503))],
    ['SNS throttles the notice', () => {
      s3.on(GetObjectCommand).resolves(manifestBody('releaseId: [')); // a bad manifest, so a notice is due
      sns.on(PublishCommand).rejects(sdkError('Throttling'));
    }],
  ])('throws TransientError, so the event is delivered again, when %s', async (_case, arrange) => {
    arrange();

    expect((await rejection(handler()(objectCreated(), context()))).name).toBe('TransientError');
  });

  it.each([
    ['an event of another kind', { ...objectCreated(), 'detail-type': 'Object Deleted' }, 'detail-type'],
    ['an event without the object key', { ...objectCreated(), detail: { bucket: { name: BUCKET }, object: {} } }, 'detail.object.key'],
  ])('refuses %s, naming the field', async (_case, event, path) => {
    const error = await rejection(handler()(event, context()));

    expect(error.name).toBe('InvalidTaskInputError');
    expect(error.message).toContain(path);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });
});
