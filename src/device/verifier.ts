// Integrity and authenticity of a downloaded image, from the digest computed while it streamed in: the declared
// SHA-256 and size, then ECDSA P-256 over that same SHA-256 (the local signer's `crypto.sign('sha256', image, key)`,
// and AWS Signer's SHA256-ECDSA) against the public key pinned in the agent's configuration. node:crypto can only
// verify over the whole message, so the digest-level check uses @noble/curves (audited) with prehash off.
import { createPublicKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { AgentConfigError, IntegrityError, SignatureError } from './errors.ts';

export interface PinnedKey {
  /** The uncompressed SEC1 point (65 bytes), what the verifier needs. */
  point: Uint8Array;
  key: KeyObject;
}

/** Reads a PEM (SPKI) P-256 public key; anything else is a configuration error, reported before the agent connects. */
export function pinPublicKey(pem: string, where = 'publicKey'): PinnedKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new AgentConfigError([`${where}: not a PEM public key (${(error as Error).message})`]);
  }
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType !== 'ec' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new AgentConfigError([`${where}: expected an ECDSA P-256 public key, got ${key.asymmetricKeyType ?? 'unknown'}${jwk.crv ? ` ${jwk.crv}` : ''}`]);
  }
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(Buffer.from(jwk.x, 'base64url'), 1);
  point.set(Buffer.from(jwk.y, 'base64url'), 33);
  return { point, key };
}

/** Throws IntegrityError unless the bytes received are exactly the declared size and SHA-256. */
export function checkDigest(actual: { sha256: Buffer; bytes: number }, expected: { sha256: string; size: number }): void {
  if (actual.bytes !== expected.size) throw new IntegrityError(`received ${actual.bytes} bytes, the job declares ${expected.size}`);
  const wanted = Buffer.from(expected.sha256, 'hex');
  if (wanted.length !== 32 || !timingSafeEqual(wanted, actual.sha256)) {
    throw new IntegrityError(`SHA-256 ${actual.sha256.toString('hex')} does not match the declared ${expected.sha256}`);
  }
}

/** Throws SignatureError unless `signatureBase64` (DER) is a valid ECDSA P-256 signature of `digest` by the pinned key. */
export function checkSignature(digest: Buffer, signatureBase64: string, pinned: PinnedKey): void {
  const der = Buffer.from(signatureBase64, 'base64');
  let valid = false;
  try {
    // lowS: false because OpenSSL (and so node:crypto and AWS Signer) emits either S; both are valid ECDSA.
    valid = der.length > 0 && p256.verify(new Uint8Array(der), new Uint8Array(digest), pinned.point, { prehash: false, format: 'der', lowS: false });
  } catch {
    valid = false; // malformed DER is a bad signature, not a crash
  }
  if (!valid) throw new SignatureError('the image signature does not verify against the pinned public key');
}
