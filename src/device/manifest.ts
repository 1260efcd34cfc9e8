// The agent's check of a job's signed release manifest (src/domain/release-manifest.ts): the signature over the exact
// payload bytes against the pinned key, then the payload itself, its expiry, its product, and that the document around
// it says the same thing. What the agent installs (version, size, SHA-256, security counter) comes from the manifest
// alone; the document only says where to download from.
import { createHash } from 'node:crypto';
import type { UpdateInstruction } from '#domain/job-document.ts';
import { parseManifest, type ReleaseManifest } from '#domain/release-manifest.ts';
import { DeviceError, SignatureError } from './errors.ts';
import { checkSignature, type PinnedKey } from './verifier.ts';

/** The manifest is missing, forged, malformed, expired, for another product, or contradicted by its document. */
export class ManifestError extends DeviceError {
  override readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface ManifestCheck {
  publicKey: PinnedKey;
  /** The device's clock, epoch ms. */
  now: number;
  /** When set, a manifest for any other product is refused. */
  product?: string;
}

export function verifyManifest(instruction: UpdateInstruction, check: ManifestCheck): ReleaseManifest {
  const block = instruction.manifest;
  if (!block) throw new ManifestError('UNSIGNED_MANIFEST', 'the document carries no signed release manifest; this agent takes version and image only from one');
  const payload = Buffer.from(block.payload, 'base64');
  try {
    checkSignature(createHash('sha256').update(payload).digest(), block.signature.value, check.publicKey);
  } catch (error) {
    if (error instanceof SignatureError) throw new ManifestError('BAD_MANIFEST_SIGNATURE', 'the release manifest signature does not verify against the pinned public key');
    throw error;
  }
  const parsed = parseManifest(payload);
  if (!parsed.ok) throw new ManifestError('BAD_MANIFEST', parsed.reason);
  const { manifest } = parsed;
  if (Date.parse(manifest.expires) <= check.now) {
    throw new ManifestError('MANIFEST_EXPIRED', `the release manifest expired at ${manifest.expires} (device clock ${new Date(check.now).toISOString()})`);
  }
  if (check.product !== undefined && manifest.product !== check.product) {
    throw new ManifestError('WRONG_PRODUCT', `the release manifest is for ${manifest.product}, this device is ${check.product}`);
  }
  const mismatch = contradiction(instruction, manifest);
  if (mismatch) throw new ManifestError('MANIFEST_MISMATCH', `the document says ${mismatch}`);
  return manifest;
}

/** Where the unsigned document disagrees with the signed manifest, in words; undefined when it does not. */
function contradiction(instruction: UpdateInstruction, manifest: ReleaseManifest): string | undefined {
  if (instruction.kind !== manifest.kind) return `${instruction.kind}, the signed manifest says ${manifest.kind}`;
  if (instruction.version !== manifest.version) return `version ${instruction.version}, the signed manifest says ${manifest.version}`;
  if (instruction.kind === 'revert') return instruction.fromVersion === manifest.rollbackFrom ? undefined : `revert from ${instruction.fromVersion}, the signed manifest says from ${manifest.rollbackFrom ?? 'nowhere'}`;
  if (instruction.size !== manifest.size) return `${instruction.size} bytes, the signed manifest says ${manifest.size}`;
  if (instruction.sha256 !== undefined && instruction.sha256 !== manifest.sha256) return `SHA-256 ${instruction.sha256}, the signed manifest says ${manifest.sha256}`;
  if (instruction.authorisedRollback && !manifest.authorisedRollback) return 'authorised rollback, the signed manifest does not';
  return undefined;
}
