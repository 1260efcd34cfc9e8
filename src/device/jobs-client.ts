// The IoT Jobs device API as the agent uses it, whatever carries it (MQTT to AWS IoT Core or to the embedded broker).
// Topic names and payloads follow the documented MQTT API (the AWS IoT Jobs MQTT API; docs/device-agent.md).

export interface JobExecution {
  jobId: string;
  status: string;
  versionNumber: number;
  executionNumber: number;
  statusDetails?: Record<string, string>;
  /** The job document as JSON text (the wire carries an object; clients serialise it). */
  jobDocument?: string;
}

export type DeviceUpdateStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface UpdateExecutionRequest {
  status: DeviceUpdateStatus;
  statusDetails?: Record<string, string>;
  expectedVersion?: number;
  executionNumber?: number;
  stepTimeoutInMinutes?: number;
  includeJobExecutionState?: boolean;
  includeJobDocument?: boolean;
}

export interface UpdateExecutionResponse {
  executionState?: { status: string; statusDetails?: Record<string, string>; versionNumber: number };
  jobDocument?: string;
}

/** Rejections (`/rejected` topics) surface as JobsRejectedError; no answer in time as JobsTimeoutError. */
export interface JobsClient {
  readonly thingName: string;
  /** StartNextPendingJobExecution: the IN_PROGRESS execution first, else the oldest QUEUED one (now IN_PROGRESS). */
  startNext(request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): Promise<JobExecution | undefined>;
  /** DescribeJobExecution, for a fresh job document (new presigned URLs). */
  describe(jobId: string, request: { executionNumber?: number; includeJobDocument?: boolean }): Promise<JobExecution | undefined>;
  update(jobId: string, request: UpdateExecutionRequest): Promise<UpdateExecutionResponse>;
  /** NextJobExecutionChanged notifications; also called with `undefined` after a reconnect, to re-check. */
  onNextChanged(listener: (execution: JobExecution | undefined) => void): () => void;
  close(): Promise<void>;
}

export function jobsTopic(thingName: string, operation: string): string {
  return `$aws/things/${thingName}/jobs/${operation}`;
}

/** The reply topics a client subscribes to (wildcards for the per-job ones). */
export function replyTopicFilters(thingName: string): string[] {
  return ['start-next/accepted', 'start-next/rejected', '+/get/accepted', '+/get/rejected', '+/update/accepted', '+/update/rejected', 'notify-next'].map((suffix) =>
    jobsTopic(thingName, suffix),
  );
}

export interface ParsedJobsTopic {
  thingName: string;
  operation: 'get-pending' | 'start-next' | 'describe' | 'update' | 'notify' | 'notify-next';
  jobId?: string;
  reply?: 'accepted' | 'rejected';
}

/** Reads `$aws/things/{thing}/jobs/...`; undefined for any other topic. */
export function parseJobsTopic(topic: string): ParsedJobsTopic | undefined {
  const match = /^\$aws\/things\/([^/]+)\/jobs\/(.+)$/.exec(topic);
  if (!match) return undefined;
  const thingName = match[1] as string;
  const parts = (match[2] as string).split('/');
  const reply = parts.at(-1) === 'accepted' || parts.at(-1) === 'rejected' ? (parts.pop() as 'accepted' | 'rejected') : undefined;
  const withReply = (parsed: ParsedJobsTopic): ParsedJobsTopic => (reply ? { ...parsed, reply } : parsed);
  if (parts.length === 1 && parts[0] === 'notify-next' && !reply) return { thingName, operation: 'notify-next' };
  if (parts.length === 1 && parts[0] === 'notify' && !reply) return { thingName, operation: 'notify' };
  if (parts.length === 1 && parts[0] === 'get') return withReply({ thingName, operation: 'get-pending' });
  if (parts.length === 1 && parts[0] === 'start-next') return withReply({ thingName, operation: 'start-next' });
  if (parts.length === 2 && parts[1] === 'get') return withReply({ thingName, operation: 'describe', jobId: parts[0] as string });
  if (parts.length === 2 && parts[1] === 'update') return withReply({ thingName, operation: 'update', jobId: parts[0] as string });
  return undefined;
}

/** The wire form of an execution: `jobDocument` is a JSON object there; the agent works with its text. */
export function executionFromWire(value: unknown): JobExecution | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const wire = value as Record<string, unknown>;
  if (typeof wire.jobId !== 'string') return undefined;
  const document = wire.jobDocument;
  return {
    jobId: wire.jobId,
    status: String(wire.status ?? ''),
    versionNumber: Number(wire.versionNumber ?? 0),
    executionNumber: Number(wire.executionNumber ?? 0),
    ...(wire.statusDetails && typeof wire.statusDetails === 'object' ? { statusDetails: wire.statusDetails as Record<string, string> } : {}),
    ...(document === undefined ? {} : { jobDocument: typeof document === 'string' ? document : JSON.stringify(document) }),
  };
}
