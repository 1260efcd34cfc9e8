// One place that turns AWS SDK errors into the port errors the use cases and the state machine understand.
// Anything not listed here is unexpected: it is rethrown as is, and the state machine's catch-all rolls back.
import { NotFoundError, QuotaExceededError, TransientError } from '#ports/errors.ts';

/** Error names the SDK clients we use throw for throttling and brief service trouble; the ASL retries these. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'TransactionConflictException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailureException',
  'InternalFailure',
  'InternalServerException',
  'InternalServerError',
  'InternalException',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/**
 * A quota is used up. IoT's LimitExceededException covers active and concurrent jobs, dynamic thing groups and group
 * memberships: none clears within a retry's seconds, so it is not transient (it used to be, and a stage that met it
 * spent its retries and then failed anyway).
 */
const QUOTA_NAMES = new Set(['LimitExceededException', 'ServiceQuotaExceededException']);

const NOT_FOUND_NAMES = new Set(['ResourceNotFoundException', 'NoSuchKey', 'NoSuchBucket', 'NotFound', 'ExecutionDoesNotExist', 'StateMachineDoesNotExist']);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape).name : undefined;
}

export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  if (shape.name && QUOTA_NAMES.has(shape.name)) return false;
  if (shape.name && TRANSIENT_NAMES.has(shape.name)) return true;
  if (shape.code && NETWORK_CODES.has(shape.code)) return true;
  if (shape.$retryable) return true;
  const status = shape.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return (name !== undefined && NOT_FOUND_NAMES.has(name)) || (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode === 404;
}

/**
 * Rethrows an SDK error as a port error: TransientError (the state machine retries it with backoff), QuotaExceededError,
 * NotFoundError, or the original error when it is none of these. `what` names the call for the message: "IoT DescribeJob my-release-s0".
 */
export function rethrow(error: unknown, what: string): never {
  const name = errorName(error);
  if (name && QUOTA_NAMES.has(name)) throw new QuotaExceededError(`${what}: ${messageOf(error)}`, { cause: error });
  if (isTransient(error)) throw new TransientError(`${what}: ${messageOf(error)}`, { cause: error });
  if (isNotFound(error)) throw new NotFoundError(`${what}: not found`, { cause: error });
  throw error;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
