// IoT Jobs events as they arrive from the reserved `$aws/events/...` topics, and the bus they are relayed onto.

/** `$aws/events/job/{jobId}/{operation}` payload (documented shape). */
export interface JobEvent {
  eventType: 'JOB';
  eventId: string;
  timestamp: number;
  operation: 'completed' | 'canceled' | 'deleted' | 'cancellation_in_progress' | 'deletion_in_progress';
  jobId: string;
  status: string;
  targetSelection?: 'SNAPSHOT' | 'CONTINUOUS';
  targets?: string[];
  description?: string;
  comment?: string;
  completedAt?: number;
  createdAt?: number;
  lastUpdatedAt?: number;
  jobProcessDetails?: Record<string, number>;
}

/** `$aws/events/jobExecution/{jobId}/{operation}` payload (documented shape). */
export interface JobExecutionEvent {
  eventType: 'JOB_EXECUTION';
  eventId: string;
  timestamp: number;
  operation: 'succeeded' | 'failed' | 'rejected' | 'canceled' | 'removed' | 'timed_out' | 'deleted';
  jobId: string;
  thingArn: string;
  status: string;
  statusDetails?: Record<string, string>;
}

export type IotJobsEvent = JobEvent | JobExecutionEvent;

/** EventBridge `source` and `detail-type` of relayed events; the rules in serverless.yml match these. */
export const RELAY_SOURCE = 'ota-release.iot-jobs';
export const DETAIL_TYPE = { JOB: 'IoT Job Event', JOB_EXECUTION: 'IoT Job Execution Event' } as const;

export interface EventPublisher {
  /** PutEvents in batches of 10; throws TransientError listing the entries that failed (FailedEntryCount > 0). */
  publish(events: IotJobsEvent[]): Promise<void>;
}
