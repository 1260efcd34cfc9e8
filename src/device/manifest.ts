// The agent's check of a job's signed release manifest (src/domain/release-manifest.ts): the signature over the exact
// payload bytes against the pinned key, then the payload itself, its expiry, its product, and that the document around
// it says the same thing; then anti-rollback against what the device runs. What the agent installs (version, size,
// SHA-256, security counter) comes from the manifest alone; the document only says where to download from.
import { createHash } from 'node:crypto';
import type { UpdateInstruction } from '#domain/job-document.ts';
import { parseManifest, type ReleaseManifest } from '#domain/release-manifest.ts';
import { DeviceError, SignatureError } from './errors.ts';
import type { SlotStore } from './slots.ts';
import { checkSignature, type PinnedKey } from './verifier.ts';
import { compareVersions } from './version.ts';

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

/**
 * Anti-rollback, from the signed manifest alone: the running version with other bytes is a conflict; an older version
 * needs a signed rollback from the running version; the security counter may not go below the device's floor.
 * Undefined when the manifest may proceed.
 */
export async function antiRollback(manifest: ReleaseManifest, slots: SlotStore): Promise<{ reason: string; detail: string } | undefined> {
  const running = slots.running;
  const order = compareVersions(manifest.version, running.version);
  if (order === 0 && manifest.kind === 'install') {
    const installed = (await slots.read(running.slot)).sha256;
    // The factory image was never measured (no digest on record): its version is all there is to compare.
    if (installed !== undefined && installed !== manifest.sha256) {
      return { reason: 'VERSION_CONFLICT', detail: `${manifest.version} is already running with SHA-256 ${installed}; the manifest offers different bytes (${manifest.sha256 ?? ''}) under the same version` };
    }
  }
  if (order < 0 && !(manifest.authorisedRollback && manifest.rollbackFrom === running.version)) {
    const why = manifest.authorisedRollback ? `a signed rollback from ${manifest.rollbackFrom ?? '?'}, not from ${running.version}` : 'not an authorised rollback';
    return { reason: 'OLDER_VERSION', detail: `refusing ${manifest.version}: older than the running ${running.version} and ${why}` };
  }
  const floor = await slots.securityFloor();
  if (manifest.securityCounter < floor) {
    return { reason: 'SECURITY_COUNTER', detail: `refusing ${manifest.version}: its security counter ${manifest.securityCounter} is below this device's ${floor}` };
  }
  return undefined;
}
