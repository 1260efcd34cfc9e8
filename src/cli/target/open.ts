// Opening the operations of the chosen cloud. Loaded lazily, so a local command never loads the AWS SDK.
import type { ReleaseOperations } from '#operator/operations.ts';
import type { Target } from './choose.ts';

export async function openOperations(target: Target): Promise<ReleaseOperations> {
  if (target.kind === 'aws') return (await import('./aws.ts')).openAwsOperations(target);
  return (await import('./local.ts')).openLocalOperations(target.stateDir);
}
