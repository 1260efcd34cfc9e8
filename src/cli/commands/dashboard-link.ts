// `ota-release dashboard --aws --link RELEASE`: a fresh read-only view link to the dashboard the stack serves, for a
// person without AWS credentials (a phone, a colleague, a status channel). Signing one needs the stack's link key, so
// only operators who may read that secret can hand out views. The AWS modules load only when a link is asked for.
import { NotFoundError } from '#ports/errors.ts';
import type { Target } from '../target/choose.ts';
import { NoTargetError } from '../target/errors.ts';

export type AwsTarget = Extract<Target, { kind: 'aws' }>;

export interface ViewLink {
  releaseId: string;
  url: string;
  expiresAt: string;
}

export type MakeViewLink = (target: AwsTarget, request: { releaseId: string; validForSeconds: number; now: Date }) => Promise<ViewLink>;

export const awsViewLink: MakeViewLink = async (target, request) => {
  const [{ awsPortsFor }, { awsApprovalKey }, { optional }, { createViewLink }] = await Promise.all([
    import('../target/aws.ts'),
    import('#aws/approval-key.ts'),
    import('#aws/config.ts'),
    import('#app/view-links.ts'),
  ]);
  const ports = await awsPortsFor(target);
  const baseUrl = optional('approvalBaseUrl');
  if (!baseUrl || !optional('approvalKeySecretArn')) {
    throw new NoTargetError(`stack ${target.stackName} has no ApprovalApiUrl / ApprovalKeySecretArn output: deploy this version of ota-release to serve the dashboard`);
  }
  if (!(await ports.store.getRelease(request.releaseId))) throw new NotFoundError(`no release named ${request.releaseId} in ${target.stackName}`);
  const expiresAt = new Date(request.now.getTime() + request.validForSeconds * 1000);
  const url = await createViewLink({ baseUrl, key: awsApprovalKey() }, { releaseId: request.releaseId, expiresAt });
  return { releaseId: request.releaseId, url, expiresAt: expiresAt.toISOString() };
};
