// FirmwareSigner with a local ECDSA P-256 key (SHA-256, DER signature, base64): what AWS Signer's
// AWSIoTDeviceManagement-SHA256-ECDSA platform produces, without an account. The key is derived from a seed, so a
// kept state directory and the device agents it pins keep working across runs.
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { FirmwareSignature } from '#domain/firmware.ts';
import type { FirmwareSigner, StoredFirmware } from '#ports/firmware.ts';
import { SigningFailedError } from '#ports/errors.ts';

// P-256 group order; a derived scalar must lie in [1, n-1].
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export class LocalSigner implements FirmwareSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(
    private readonly readImage: (firmware: StoredFirmware) => Uint8Array,
    seed = 'ota-release local signing key',
  ) {
    this.privateKey = derivePrivateKey(seed);
    this.publicKey = createPublicKey(this.privateKey);
    const spki = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = `local:${createHash('sha256').update(spki).digest('hex')}`;
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  async sign(firmware: StoredFirmware, _idempotencyKey: string): Promise<FirmwareSignature> {
    let bytes: Uint8Array;
    try {
      bytes = this.readImage(firmware);
    } catch (error) {
      throw new SigningFailedError(`cannot sign: ${(error as Error).message}`, { cause: error });
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== firmware.sha256) throw new SigningFailedError('the image changed after it was measured; its SHA-256 no longer matches');
    const value = sign('sha256', bytes, { key: this.privateKey, dsaEncoding: 'der' }).toString('base64');
    return { algorithm: 'ECDSA-SHA256', value, keyId: this.keyId };
  }
}

function derivePrivateKey(seed: string): KeyObject {
  let counter = 0;
  for (;;) {
    const digest = createHash('sha256').update(`${seed}#${counter++}`).digest();
    const scalar = BigInt(`0x${digest.toString('hex')}`);
    if (scalar === 0n || scalar >= P256_ORDER) continue;
    // JWK needs the public point too; let Node compute it from a PKCS#8 wrapper of the scalar.
    return createPrivateKey({ key: pkcs8(digest), format: 'der', type: 'pkcs8' });
  }
}

/** PKCS#8 DER of a P-256 private key given only the 32-byte scalar (the public key is optional in ECPrivateKey). */
function pkcs8(scalar: Buffer): Buffer {
  const prefix = Buffer.from('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420', 'hex');
  return Buffer.concat([prefix, scalar]);
}
