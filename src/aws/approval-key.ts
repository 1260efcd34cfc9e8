// The HMAC key that signs approval links: a Secrets Manager secret CloudFormation generates with the stack, read
// once per cold start (the promise is kept, so concurrent first calls share one read and later calls none).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Instrument, noInstrument, required } from './config.ts';
import { rethrow } from './sdk-errors.ts';

export function secretKeyProvider(client: SecretsManagerClient, secretId: () => string): () => Promise<Uint8Array> {
  let pending: Promise<Uint8Array> | undefined;
  return () => {
    pending ??= read(client, secretId()).catch((error: unknown) => {
      pending = undefined; // a failed read is tried again on the next call
      throw error;
    });
    return pending;
  };
}

async function read(client: SecretsManagerClient, secretId: string): Promise<Uint8Array> {
  try {
    const { SecretString, SecretBinary } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretBinary) return SecretBinary;
    if (SecretString) return new TextEncoder().encode(SecretString);
  } catch (error) {
    return rethrow(error, 'Secrets Manager GetSecretValue (approval key)');
  }
  throw new Error('the approval key secret is empty');
}

export function awsApprovalKey(instrument: Instrument = noInstrument): () => Promise<Uint8Array> {
  return secretKeyProvider(instrument(new SecretsManagerClient({})), () => required('approvalKeySecretArn'));
}
