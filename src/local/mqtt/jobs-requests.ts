// What a device may publish on `$aws/things/{thing}/jobs/...`, checked before anything reaches the data plane: the
// request payloads of the Jobs device MQTT API (developer guide, "Jobs device MQTT API operations"), with the field
// constraints of the iot-jobs-data API reference. A payload that is not UTF-8 JSON is InvalidJson; JSON that is not
// the operation's request (`null`, an array, a field of the wrong type or out of range) is InvalidRequest. Fields the
// API does not define are ignored, as AWS SDK clients may send more than one version of a shape.
import { z } from 'zod';
import type { DeviceUpdateStatus } from '#device/jobs-client.ts';

/** statusDetails: "a collection of name/value pairs"; key `[a-zA-Z0-9:_-]+` 1–128, value 1–1,024 characters, no control characters. */
export const StatusDetails = z.record(
  z.string().regex(/^[a-zA-Z0-9:_-]{1,128}$/, 'statusDetails keys are 1–128 of [a-zA-Z0-9:_-]'),
  z
    .string('statusDetails values must be strings (a string-to-string map)')
    .min(1, 'statusDetails values are 1–1,024 characters')
    .max(1024, 'statusDetails values are 1–1,024 characters')
    .regex(/^\P{C}+$/u, 'statusDetails values may not hold control characters'),
);

/** "A client token used to correlate requests and responses"; 64 characters at most. */
const ClientToken = z.string().min(1).max(64);
/** StartNext and UpdateJobExecution: 1–10,080 minutes; on an update, -1 cancels the step timer. */
const StepTimeout = z.number().int().min(1).max(10_080);
const Long = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const GetPendingRequest = z.object({ clientToken: ClientToken.optional() });
const StartNextRequest = z.object({
  clientToken: ClientToken.optional(),
  statusDetails: StatusDetails.optional(),
  stepTimeoutInMinutes: StepTimeout.optional(),
});
const DescribeRequest = z.object({
  clientToken: ClientToken.optional(),
  executionNumber: Long.optional(),
  includeJobDocument: z.boolean().optional(),
});
const UpdateRequest = z.object({
  clientToken: ClientToken.optional(),
  status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'] satisfies DeviceUpdateStatus[], 'status must be IN_PROGRESS, SUCCEEDED, FAILED or REJECTED'),
  statusDetails: StatusDetails.optional(),
  expectedVersion: Long.optional(),
  executionNumber: Long.optional(),
  includeJobExecutionState: z.boolean().optional(),
  includeJobDocument: z.boolean().optional(),
  stepTimeoutInMinutes: z.union([StepTimeout, z.literal(-1)]).optional(),
});

const SCHEMAS = { 'get-pending': GetPendingRequest, 'start-next': StartNextRequest, describe: DescribeRequest, update: UpdateRequest };

export type JobsOperation = keyof typeof SCHEMAS;
export type JobsRequest<O extends JobsOperation> = z.infer<(typeof SCHEMAS)[O]>;

/** A jobId in a topic: the iot-jobs-data pattern, or `$next` where DescribeJobExecution allows it. */
const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export type ParsedRequest<O extends JobsOperation> =
  | { ok: true; request: JobsRequest<O> }
  | { ok: false; code: 'InvalidJson' | 'InvalidRequest'; message: string; clientToken?: string };

export function parseRequest<O extends JobsOperation>(operation: O, payload: Buffer): ParsedRequest<O> {
  let json: unknown;
  try {
    // An empty payload is an empty request: the topic says everything GetPendingJobExecutions needs.
    json = payload.length === 0 ? {} : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, code: 'InvalidJson', message: 'the request is not valid UTF-8 encoded JSON' };
  }
  const clientToken = echoableToken(json);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'InvalidRequest', message: 'the request must be a JSON object' };
  }
  const parsed = SCHEMAS[operation].safeParse(json);
  if (parsed.success) return { ok: true, request: parsed.data as JobsRequest<O> };
  const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
  return { ok: false, code: 'InvalidRequest', message, ...(clientToken === undefined ? {} : { clientToken }) };
}

/** A jobId from a request topic, or undefined when the topic's job id cannot name a job. */
export function validJobId(jobId: string, allowNext: boolean): boolean {
  return JOB_ID.test(jobId) || (allowNext && jobId === '$next');
}

/** `{ clientToken }` to echo in a reply, when the payload is JSON with a valid one; `{}` otherwise. */
export function clientTokenOf(payload: Buffer): { clientToken?: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return {};
  }
  const clientToken = echoableToken(json);
  return clientToken === undefined ? {} : { clientToken };
}

/** The request's clientToken when it can be echoed in a rejection (a valid one only). */
function echoableToken(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const token = (json as Record<string, unknown>).clientToken;
  return ClientToken.safeParse(token).success ? (token as string) : undefined;
}
