// Shared fixtures for the device-agent tests: seeded bytes, a P-256 key pair, signed images.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { seeded } from '#local/fleet/random.ts';

// A small seeded generator, so a failing run can be replayed.
export { seeded };

export function imageBytes(size: number, seed: number): Buffer {
  const random = seeded(seed);
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

export interface TestKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function testKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the local signer produces: ECDSA P-256 over SHA-256 of the image, base64 DER. */
export function signImage(bytes: Buffer, privateKey: KeyObject): string {
  return sign('sha256', bytes, privateKey).toString('base64');
}
