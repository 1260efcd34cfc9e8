// StartFromManifest: an EventBridge rule on the default bus hands this S3 `Object Created` events for keys ending in
// release.yaml, release.yml or release.json in the firmware bucket. A manifest that cannot start sends one notice
// and returns (a retry could never fix it); only trouble a retry can fix (throttling, 5xx) throws.
import middy from '@middy/core';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { type StartFromManifestPorts, startFromManifest } from '#app/start-from-manifest.ts';
import { awsReleaseManifests } from '#aws/s3-release-manifests.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { awsWorkflow } from '#aws/sfn-workflow.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

/**
 * The documented S3 → EventBridge `Object Created` event, only the fields used. Written here rather than taken from
 * Powertools' S3 schema, which insists that `source-ip-address` is IPv4 (uploads over IPv6 endpoints would not parse).
 */
const ObjectCreatedEvent = EventBridgeSchema.extend({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(3) }),
    object: z.looseObject({ key: z.string().min(1), size: z.number().nonnegative().optional(), 'version-id': z.string().min(1).optional() }),
  }),
});

export function makeHandler(ports: StartFromManifestPorts) {
  return middy(async (event: unknown) => {
    const { detail } = parseInput('StartFromManifest', ObjectCreatedEvent, event);
    const { bucket, object } = detail;
    logger.appendKeys({ manifest: `s3://${bucket.name}/${object.key}`, manifestVersion: object['version-id'] ?? null });
    const result = await startFromManifest(ports, {
      bucket: bucket.name,
      key: object.key,
      ...(object['version-id'] && { versionId: object['version-id'] }),
      ...(object.size !== undefined && { size: object.size }),
    });
    count(`Manifest_${result.outcome}`);
    if (result.releaseId) logger.appendKeys({ releaseId: result.releaseId });
    logger.info('manifest handled', { outcome: result.outcome, executionId: result.executionId ?? null, images: result.images ?? [], problems: result.problems ?? [] });
    return result;
  }).use(observability());
}

export const handler = makeHandler({ manifests: awsReleaseManifests(instrument), workflow: awsWorkflow(instrument), notifier: awsNotifier(instrument) });
