import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoReleaseStore } from '#aws/dynamo-release-store.ts';
import { newReleaseRecord } from '#app/release-record.ts';
import { request, sdkError } from '../functions/helpers.ts';

const db = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoReleaseStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })), { table: () => 'releases', nowSeconds: () => 1_000_000 });
const RECORD = newReleaseRecord(request(), '2026-11-24T10:00:00.000Z');
const conditionFailed = () => sdkError('ConditionalCheckFailedException');

beforeEach(() => db.reset());

describe('DynamoReleaseStore', () => {
  it('creates a release only if absent, and returns the stored one when it exists', async () => {
    db.on(PutCommand).rejects(conditionFailed());
    db.on(GetCommand).resolves({ Item: { pk: 'RELEASE#gw-2-4-0', sk: 'RELEASE', version: 3, record: { ...RECORD, status: 'IN_PROGRESS' } } });

    const result = await store().createRelease(RECORD);

    expect(result).toEqual({ record: expect.objectContaining({ status: 'IN_PROGRESS' }), created: false });
    expect(db).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('re-reads and re-applies an update that lost a race (optimistic concurrency on version)', async () => {
    db.on(GetCommand)
      .resolvesOnce({ Item: { pk: 'RELEASE#gw-2-4-0', sk: 'RELEASE', version: 1, record: RECORD } })
      .resolves({ Item: { pk: 'RELEASE#gw-2-4-0', sk: 'RELEASE', version: 2, record: { ...RECORD, stageIndex: 1 } } });
    db.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});

    const updated = await store().updateRelease('gw-2-4-0', (current) => ({ ...current, updatedAt: 'later' }));

    expect(updated).toEqual(expect.objectContaining({ stageIndex: 1, updatedAt: 'later' }));
    const lastPut = db.commandCalls(PutCommand).at(-1)!.args[0].input;
    expect(lastPut.ExpressionAttributeValues).toEqual({ ':version': 2 });
    expect(lastPut.Item).toEqual(expect.objectContaining({ version: 3 }));
  });

  it('gives up with TransientError when the record keeps changing', async () => {
    db.on(GetCommand).resolves({ Item: { pk: 'p', sk: 's', version: 1, record: RECORD } });
    db.on(PutCommand).rejects(conditionFailed());

    await expect(store().updateRelease('gw-2-4-0', (current) => ({ ...current, updatedAt: 'x' }))).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('stores a 2,048-character token with a pointer from its job, in one transaction', async () => {
    db.on(TransactWriteCommand).resolves({});
    const token = 'T'.repeat(2048);

    await store().putPendingTask({ releaseId: 'gw-2-4-0', kind: 'bake', stageIndex: 0, jobId: 'gw-2-4-0-s0', token, createdAt: '2026-11-24T10:00:00.000Z', expiresAt: '2026-11-24T11:00:00.000Z' });

    const items = db.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((item) => item.Put?.Item?.pk)).toEqual(['RELEASE#gw-2-4-0', 'JOB#gw-2-4-0-s0']);
    expect((items[0]!.Put!.Item!.task as { token: string }).token).toHaveLength(2048);
    expect(items[0]!.Put!.Item!.ttl).toBe(Date.parse('2026-11-24T11:00:00.000Z') / 1000 + 86400);
  });

  it('finds a task by its job only while the task still belongs to that job', async () => {
    db.on(GetCommand, { Key: { pk: 'JOB#gw-2-4-0-s0', sk: 'TASK' } }).resolves({ Item: { releaseId: 'gw-2-4-0', kind: 'bake' } });
    db.on(GetCommand, { Key: { pk: 'RELEASE#gw-2-4-0', sk: 'TASK#bake' } }).resolves({ Item: { task: { jobId: 'gw-2-4-0-s1', token: 't' } } });

    expect(await store().findPendingTaskByJob('gw-2-4-0-s0')).toBeUndefined();
  });

  it.each([
    ['takes a task whose token matches', undefined, true],
    ['refuses a task someone else took (single use)', conditionFailed(), false],
  ])('%s', async (_what, failure, expected) => {
    if (failure) db.on(DeleteCommand).rejects(failure);
    else db.on(DeleteCommand).resolves({});

    expect(await store().takePendingTask('gw-2-4-0', 'approval', 'tok')).toBe(expected);
    expect(db).toHaveReceivedCommandWith(DeleteCommand, { ConditionExpression: '#task.#token = :token', ExpressionAttributeValues: { ':token': 'tok' } });
  });

  it.each([
    ['markEventSeen', (s: DynamoReleaseStore) => s.markEventSeen('e-1', 600), 'EVENT#e-1'],
    ['useNonce', (s: DynamoReleaseStore) => s.useNonce('n-1', 600), 'NONCE#n-1'],
  ])('%s is true the first time and false after, and counts an expired marker as gone', async (_name, call, pk) => {
    db.on(PutCommand).resolvesOnce({}).rejects(conditionFailed());

    expect(await call(store())).toBe(true);
    expect(await call(store())).toBe(false);
    expect(db).toHaveReceivedCommandWith(PutCommand, {
      Item: { pk, sk: expect.any(String), ttl: 1_000_600 },
      ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
      ExpressionAttributeValues: { ':now': 1_000_000 },
    });
  });

  it('forgets an event by deleting its marker, so its redelivery is handled', async () => {
    db.on(DeleteCommand).resolves({});

    await store().forgetEvent('e-1');

    expect(db).toHaveReceivedCommandWith(DeleteCommand, { TableName: 'releases', Key: { pk: 'EVENT#e-1', sk: 'SEEN' } });
  });

  it('writes the same decision twice under one key (idempotent appends)', async () => {
    db.on(PutCommand).resolves({});
    const decision = { kind: 'action' as const, action: 'promote' as const, reason: 'ok', releaseId: 'gw-2-4-0', stageIndex: 0, stageName: 'canary', at: '2026-11-24T10:00:00.000Z' };

    await store().appendDecision(decision);
    await store().appendDecision(decision);

    const keys = db.commandCalls(PutCommand).map((call) => call.args[0].input.Item!.sk);
    expect(keys[0]).toMatch(/^DECISION#2026-11-24T10:00:00.000Z#[0-9a-f]{16}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('lists decisions across pages', async () => {
    db.on(QueryCommand).resolvesOnce({ Items: [{ decision: { at: '1' } }], LastEvaluatedKey: { pk: 'x' } }).resolves({ Items: [{ decision: { at: '2' } }] });

    expect(await store().listDecisions('gw-2-4-0')).toEqual([{ at: '1' }, { at: '2' }]);
  });

  it('turns throttling into TransientError', async () => {
    db.on(GetCommand).rejects(sdkError('ProvisionedThroughputExceededException'));

    await expect(store().getRelease('gw-2-4-0')).rejects.toMatchObject({ name: 'TransientError' });
  });
});
