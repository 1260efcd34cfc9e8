// Where this stack's resources are, read from the environment that serverless.yml sets on every function.
// Read lazily: handler modules are imported by the local runner and by tests, where none of this is set.
import { MissingConfigurationError } from './errors.ts';

export const ENV = {
  region: 'AWS_REGION',
  accountId: 'ACCOUNT_ID',
  partition: 'PARTITION',
  table: 'RELEASE_TABLE',
  firmwareBucket: 'FIRMWARE_BUCKET',
  signerProfile: 'SIGNER_PROFILE',
  presignRoleArn: 'PRESIGN_ROLE_ARN',
  approvalTopicArn: 'APPROVAL_TOPIC_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  stateMachineArn: 'STATE_MACHINE_ARN',
  approvalBaseUrl: 'APPROVAL_BASE_URL',
  approvalKeySecretArn: 'APPROVAL_KEY_SECRET_ARN',
  /** The CloudWatch namespace the health topic rules write device health metrics to. */
  healthNamespace: 'HEALTH_METRICS_NAMESPACE',
} as const;
export type ConfigKey = keyof typeof ENV;

/** A value the stack must provide; throws MissingConfigurationError, at first use, when it does not. */
export function required(key: ConfigKey, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[ENV[key]];
  if (value === undefined || value === '') throw new MissingConfigurationError(ENV[key]);
  return value;
}

export function optional(key: ConfigKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[ENV[key]];
  return value === undefined || value === '' ? undefined : value;
}

/** `arn:<partition>:iot:<region>:<account>:` — the prefix of every IoT resource ARN in this account and Region. */
export function iotArnPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return `arn:${optional('partition', env) ?? 'aws'}:iot:${required('region', env)}:${required('accountId', env)}:`;
}

/** Wraps an SDK client, e.g. Powertools Tracer's captureAWSv3Client; the identity by default. */
export type Instrument = <T>(client: T) => T;
export const noInstrument: Instrument = (client) => client;
