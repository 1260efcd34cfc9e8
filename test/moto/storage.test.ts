// The S3, DynamoDB, SNS and EventBridge adapters against moto on loopback: the requests they build are ones an
// AWS-shaped server accepts, and what they read back is what they wrote.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoReleaseStore } from '#aws/dynamo-release-store.ts';
import { EventBridgePublisher } from '#aws/eventbridge-publisher.ts';
import { S3FirmwareStore } from '#aws/s3-firmware-store.ts';
import { SnsNotifier } from '#aws/sns-notifier.ts';
import { newReleaseRecord } from '#app/release-record.ts';
import { describeWithMoto, motoRequest, useMoto } from './moto-server.ts';

const request = motoRequest();

describeWithMoto('storage and messaging adapters against moto', () => {
  const motoServer = useMoto();

  it('uploads firmware to a versioned bucket and reads back the same bytes', async () => {
    const s3 = new S3Client({ ...motoServer().clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'firmware' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'firmware', VersioningConfiguration: { Status: 'Enabled' } }));
    const dir = await mkdtemp(join(tmpdir(), 'moto-fw-'));
    await writeFile(join(dir, 'image.bin'), Buffer.from('firmware image bytes'));
    const store = new S3FirmwareStore(s3, { bucket: () => 'firmware', region: () => 'us-east-1' });

    const stored = await store.put({ file: join(dir, 'image.bin') }, 'moto-2-4-0', 'release');

    expect(stored.location).toMatchObject({ kind: 's3', bucket: 'firmware' });
    const location = stored.location as { key: string; versionId?: string };
    expect(location.versionId).toBeDefined();
    const object = await s3.send(new GetObjectCommand({ Bucket: 'firmware', Key: location.key, VersionId: location.versionId }));
    expect(await object.Body!.transformToString()).toBe('firmware image bytes');
  });

  it('stores a release record and changes it with optimistic concurrency', async () => {
    const dynamo = new DynamoDBClient(motoServer().clientConfig);
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'releases',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        GlobalSecondaryIndexes: [{ IndexName: 'gsi1', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
    const store = new DynamoReleaseStore(DynamoDBDocumentClient.from(dynamo), { table: () => 'releases' });

    const { created } = await store.createRelease(newReleaseRecord(request, '2026-12-01T00:00:00.000Z'));
    const again = await store.createRelease(newReleaseRecord(request, '2026-12-01T00:05:00.000Z'));
    const updated = await store.updateRelease('moto-2-4-0', (current) => ({ ...current, status: 'SIGNING', updatedAt: '2026-12-01T00:06:00.000Z' }));

    expect(created).toBe(true);
    expect(again.created).toBe(false);
    expect(updated.status).toBe('SIGNING');
    expect((await store.getRelease('moto-2-4-0'))?.status).toBe('SIGNING');
  });

  it('publishes a release notice to an SNS topic', async () => {
    const sns = new SNSClient(motoServer().clientConfig);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'approvals' }));
    const notifier = new SnsNotifier(sns, () => TopicArn!);

    await expect(notifier.releaseEvent({ releaseId: 'moto-2-4-0', kind: 'promoted', summary: 'moto-2-4-0: 2.4.0 promoted' })).resolves.toBeUndefined();
  });

  it('puts IoT Jobs events on an event bus and finds no failed entry', async () => {
    const events = new EventBridgeClient(motoServer().clientConfig);
    await events.send(new CreateEventBusCommand({ Name: 'releases' }));
    const publisher = new EventBridgePublisher(events, () => 'releases');

    await expect(
      publisher.publish([{ eventType: 'JOB', eventId: 'e-1', timestamp: 1, operation: 'completed', jobId: 'moto-2-4-0-s0', status: 'COMPLETED', targetSelection: 'SNAPSHOT' } as never]),
    ).resolves.toBeUndefined();
  });
});
