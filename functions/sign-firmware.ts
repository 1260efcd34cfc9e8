// SignFirmware: measure the image and have AWS Signer sign it (the local cloud passes its ECDSA signer instead).
import middy from '@middy/core';
import { z } from 'zod';
import { type SignFirmwarePorts, signFirmware } from '#app/sign-firmware.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFirmwareStore } from '#aws/s3-firmware-store.ts';
import { awsSigner } from '#aws/signer.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.object({ request: ReleaseRequest });

export function makeHandler(ports: SignFirmwarePorts) {
  return middy(async (event: unknown) => {
    const { request } = parseInput('SignFirmware', Input, event);
    logger.appendKeys({ releaseId: request.releaseId });
    const signed = await signFirmware(ports, request);
    count('FirmwareSigned');
    logger.info('firmware signed', { version: signed.version, sha256: signed.sha256, keyId: signed.signature.keyId });
    // The ASL's ResultSelector names every field, so "no rollback image" (or no revert statement) travels as null.
    return { ...signed, rollback: signed.rollback ?? null, manifest: signed.manifest ?? null, revertManifest: signed.revertManifest ?? null };
  }).use(observability());
}

export const handler = makeHandler({ firmware: awsFirmwareStore(instrument), signer: awsSigner(instrument), store: awsReleaseStore(instrument), clock: systemClock });
