// ReleaseStore on one DynamoDB table (@aws-sdk/lib-dynamodb). Keys:
//   pk RELEASE#<id>  sk RELEASE                 the ReleaseRecord, with `version` for optimistic concurrency
//   pk RELEASE#<id>  sk TASK#<bake|approval>    the pending callback token (tokens up to 2,048 characters)
//   pk RELEASE#<id>  sk DECISION#<at>#<hash>    decision records, in time order
//   pk JOB#<jobId>   sk TASK                    points a job at the release and kind waiting on it
//   pk EVENT#<id>    sk SEEN                    event de-duplication, expires with TTL
//   pk NONCE#<n>     sk USED                    single-use approval-link nonces, expire with TTL
// GSI1 (gsi1pk = RELEASES, gsi1sk = createdAt#id) lists releases without a scan.
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DecisionRecord } from '#domain/decision.ts';
import { NotFoundError, TransientError } from '#ports/errors.ts';
import type { PendingTask, ReleaseRecord, ReleaseStore, WaitKind } from '#ports/release-store.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { errorName, rethrow } from './sdk-errors.ts';

/** How many times updateRelease re-reads and re-applies a change that lost a race with another writer. */
const UPDATE_ATTEMPTS = 8;
/** Pending tokens and job pointers linger a day past their wait, then TTL removes them. */
const TASK_GRACE_SECONDS = 86_400;
export const RELEASES_INDEX = 'gsi1';

export interface DynamoReleaseStoreOptions {
  table: () => string;
  /** Seconds since the epoch; TTL attributes and expiry checks use it (a port Clock in tests). */
  nowSeconds?: () => number;
}

interface ReleaseItem {
  pk: string;
  sk: string;
  version: number;
  record: ReleaseRecord;
}

export class DynamoReleaseStore implements ReleaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: DynamoReleaseStoreOptions,
  ) {}

  private get table(): string {
    return this.options.table();
  }

  private now(): number {
    return this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
  }

  async createRelease(record: ReleaseRecord): Promise<{ record: ReleaseRecord; created: boolean }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...releaseKey(record.releaseId), version: 1, record, gsi1pk: 'RELEASES', gsi1sk: `${record.createdAt}#${record.releaseId}` },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { record, created: true };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') return rethrow(error, `DynamoDB put release ${record.releaseId}`);
    }
    const existing = await this.getItem(record.releaseId);
    return { record: existing?.record ?? record, created: false };
  }

  async getRelease(releaseId: string): Promise<ReleaseRecord | undefined> {
    return (await this.getItem(releaseId))?.record;
  }

  async updateRelease(releaseId: string, change: (current: ReleaseRecord) => ReleaseRecord): Promise<ReleaseRecord> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const item = await this.getItem(releaseId);
      if (!item) throw new NotFoundError(`no release named ${releaseId}`);
      const next = change(item.record);
      if (next === item.record) return next;
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...item, version: item.version + 1, record: next },
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': item.version },
          }),
        );
        return next;
      } catch (error) {
        // Someone wrote between our read and our write: read again and re-apply the change to what they wrote.
        if (errorName(error) !== 'ConditionalCheckFailedException') return rethrow(error, `DynamoDB update release ${releaseId}`);
      }
    }
    throw new TransientError(`release ${releaseId} kept changing under ${UPDATE_ATTEMPTS} attempts to update it`);
  }

  async listReleases(): Promise<ReleaseRecord[]> {
    const records: ReleaseRecord[] = [];
    try {
      const pages = paginateQuery(
        { client: this.db },
        { TableName: this.table, IndexName: RELEASES_INDEX, KeyConditionExpression: 'gsi1pk = :all', ExpressionAttributeValues: { ':all': 'RELEASES' } },
      );
      for await (const page of pages) records.push(...(page.Items ?? []).map((item) => (item as ReleaseItem).record));
    } catch (error) {
      return rethrow(error, 'DynamoDB list releases');
    }
    return records;
  }

  async putPendingTask(task: PendingTask): Promise<void> {
    const ttl = Math.floor(Date.parse(task.expiresAt) / 1000) + TASK_GRACE_SECONDS;
    const items: Array<{ Put: { TableName: string; Item: Record<string, unknown> } }> = [
      { Put: { TableName: this.table, Item: { ...taskKey(task.releaseId, task.kind), task, ttl } } },
    ];
    if (task.jobId) {
      items.push({ Put: { TableName: this.table, Item: { pk: `JOB#${task.jobId}`, sk: 'TASK', releaseId: task.releaseId, kind: task.kind, ttl } } });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      rethrow(error, `DynamoDB put ${task.kind} task ${task.releaseId}`);
    }
  }

  async getPendingTask(releaseId: string, kind: WaitKind): Promise<PendingTask | undefined> {
    const item = await this.get(taskKey(releaseId, kind), `${kind} task ${releaseId}`);
    return item?.task as PendingTask | undefined;
  }

  async findPendingTaskByJob(jobId: string): Promise<PendingTask | undefined> {
    const pointer = await this.get({ pk: `JOB#${jobId}`, sk: 'TASK' }, `task of job ${jobId}`);
    if (!pointer) return undefined;
    const task = await this.getPendingTask(pointer.releaseId as string, pointer.kind as WaitKind);
    // The pointer outlives a task that was taken or replaced (e.g. the next stage's bake): check it still matches.
    return task?.jobId === jobId ? task : undefined;
  }

  async takePendingTask(releaseId: string, kind: WaitKind, token: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: taskKey(releaseId, kind),
          ConditionExpression: '#task.#token = :token',
          ExpressionAttributeNames: { '#task': 'task', '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      return rethrow(error, `DynamoDB take ${kind} task ${releaseId}`);
    }
  }

  async appendDecision(record: DecisionRecord): Promise<void> {
    // The hash makes the key unique per record and the write idempotent when the same record is written twice.
    const hash = createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16);
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `RELEASE#${record.releaseId}`, sk: `DECISION#${record.at}#${hash}`, decision: record } }));
    } catch (error) {
      rethrow(error, `DynamoDB append decision ${record.releaseId}`);
    }
  }

  async listDecisions(releaseId: string): Promise<DecisionRecord[]> {
    const decisions: DecisionRecord[] = [];
    try {
      const pages = paginateQuery(
        { client: this.db },
        {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `RELEASE#${releaseId}`, ':prefix': 'DECISION#' },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) decisions.push(...(page.Items ?? []).map((item) => item.decision as DecisionRecord));
    } catch (error) {
      return rethrow(error, `DynamoDB list decisions ${releaseId}`);
    }
    return decisions;
  }

  markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean> {
    return this.once({ pk: `EVENT#${eventId}`, sk: 'SEEN' }, ttlSeconds, `event ${eventId}`);
  }

  async forgetEvent(eventId: string): Promise<void> {
    try {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: `EVENT#${eventId}`, sk: 'SEEN' } }));
    } catch (error) {
      rethrow(error, `DynamoDB forget event ${eventId}`);
    }
  }

  useNonce(nonce: string, ttlSeconds: number): Promise<boolean> {
    return this.once({ pk: `NONCE#${nonce}`, sk: 'USED' }, ttlSeconds, 'approval nonce');
  }

  /**
   * Writes a marker unless a live one exists: true the first time, false after. TTL deletion can lag by up to 48 hours,
   * so an expired marker that is still stored counts as absent (the condition compares `ttl` itself).
   */
  private async once(key: { pk: string; sk: string }, ttlSeconds: number, what: string): Promise<boolean> {
    const now = this.now();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, ttl: now + ttlSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      return rethrow(error, `DynamoDB mark ${what}`);
    }
  }

  private async getItem(releaseId: string): Promise<ReleaseItem | undefined> {
    return (await this.get(releaseKey(releaseId), `release ${releaseId}`)) as ReleaseItem | undefined;
  }

  private async get(key: { pk: string; sk: string }, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return Item;
    } catch (error) {
      return rethrow(error, `DynamoDB get ${what}`);
    }
  }
}

function releaseKey(releaseId: string) {
  return { pk: `RELEASE#${releaseId}`, sk: 'RELEASE' };
}

function taskKey(releaseId: string, kind: WaitKind) {
  return { pk: `RELEASE#${releaseId}`, sk: `TASK#${kind}` };
}

export function awsReleaseStore(instrument: Instrument = noInstrument): DynamoReleaseStore {
  // removeUndefinedValues: records carry optional fields as `undefined`, which DynamoDB cannot store.
  const db = DynamoDBDocumentClient.from(instrument(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });
  return new DynamoReleaseStore(db, { table: () => required('table') });
}
