// The signed release manifest: what a release vouches for, beyond the image's bytes. The image signature alone says
// "these bytes came from us", not "this is version 2.4.0 of product X, for now": a genuinely signed old image offered
// as version 99 would pass it. So, as TUF and Uptane sign metadata rather than only images, the release signs a small
// JSON statement binding product, version, length, SHA-256, document flavour, a monotonic security counter and an
// expiry, with the same key and signer as the image (AWS Signer on AWS, the local signer in the embedded cloud). Job
// documents carry it verbatim (`manifest: { payload, signature }`), and the device agent takes the version, the image
// digest and the anti-rollback counter only from it.
//
// An authorised rollback is a manifest too: `authorisedRollback: true` with `rollbackFrom`, the version it backs out,
// so a replayed rollback cannot send a device on any other version backwards. A revert ("boot the image kept in the
// other slot") is `kind: 'revert'` and carries no image digest; the device checks the kept slot's version instead.
import { z } from 'zod';
import type { DocumentFlavour } from './release-request.ts';

export const MANIFEST_SCHEMA = 'ota-release/manifest/v1';

const Version = z.string().min(1).max(64);
const Instant = z.iso.datetime({ offset: false });

export const ReleaseManifest = z
  .strictObject({
    schema: z.literal(MANIFEST_SCHEMA),
    product: z.string().min(1).max(128),
    releaseId: z.string().min(1).max(128),
    /** install: download and verify `size` bytes whose SHA-256 is `sha256`; revert: boot the kept slot holding `version`. */
    kind: z.enum(['install', 'revert']),
    version: Version,
    size: z.number().int().positive().optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits').optional(),
    flavour: z.enum(['generic', 'nrf']),
    /**
     * Monotonic anti-rollback counter (MCUboot's security counter): a device refuses any manifest whose counter is
     * lower than that of an image it has committed. Bump it only when no earlier version may ever run again.
     */
    securityCounter: z.number().int().min(0).max(2 ** 31 - 1),
    /** This manifest allows going back to an older version, and only from `rollbackFrom`. */
    authorisedRollback: z.boolean(),
    rollbackFrom: Version.optional(),
    issuedAt: Instant,
    /** After this instant devices refuse the manifest (a freeze attack replays stale metadata for ever). */
    expires: Instant,
  })
  .superRefine((manifest, ctx) => {
    if (manifest.kind === 'install' && (manifest.size === undefined || manifest.sha256 === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'an install manifest binds the image: size and sha256 are required' });
    }
    if (manifest.authorisedRollback && manifest.rollbackFrom === undefined) {
      ctx.addIssue({ code: 'custom', message: 'an authorised rollback names the version it backs out (rollbackFrom)' });
    }
  });
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

/** How a job document carries a manifest: the exact signed bytes (base64) and the signature over their SHA-256. */
export const SignedManifestBlock = z.strictObject({
  payload: z.string().min(1).max(4096),
  signature: z.strictObject({
    algorithm: z.literal('ECDSA-SHA256'),
    value: z.string().min(1).max(1024),
    keyId: z.string().min(1).max(256),
    signerJobId: z.string().optional(),
  }),
});
export type SignedManifestBlock = z.infer<typeof SignedManifestBlock>;

export interface ManifestInput {
  product: string;
  releaseId: string;
  flavour: DocumentFlavour;
  securityCounter: number;
  /** The release's creation time: the same on every retry, so a retried signing signs the same bytes. */
  issuedAt: string;
  lifetimeSeconds: number;
}

/** The manifest for an image: the release's own, or (with `rollbackFrom`) an authorised rollback to an older one. */
export function imageManifest(input: ManifestInput, image: { version: string; size: number; sha256: string }, rollbackFrom?: string): ReleaseManifest {
  return {
    ...common(input),
    kind: 'install',
    version: image.version,
    size: image.size,
    sha256: image.sha256,
    authorisedRollback: rollbackFrom !== undefined,
    ...(rollbackFrom === undefined ? {} : { rollbackFrom }),
    ...times(input),
  };
}

/** The signed statement behind a `firmwareRevert` document: go back from `rollbackFrom` to the kept `version`. */
export function revertManifest(input: ManifestInput, version: string, rollbackFrom: string): ReleaseManifest {
  return { ...common(input), kind: 'revert', version, authorisedRollback: true, rollbackFrom, ...times(input) };
}

/** The bytes that are signed and carried. Key order is fixed by construction; devices verify these exact bytes. */
export function manifestBytes(manifest: ReleaseManifest): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

export type ParsedManifest = { ok: true; manifest: ReleaseManifest } | { ok: false; reason: string };

/** Reads verified payload bytes back; the caller has checked the signature over exactly these bytes first. */
export function parseManifest(bytes: Uint8Array): ParsedManifest {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, reason: 'the manifest is not valid JSON' };
  }
  const result = ReleaseManifest.safeParse(value);
  if (result.success) return { ok: true, manifest: result.data };
  return { ok: false, reason: result.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'manifest'}: ${issue.message}`).join('; ') };
}

function common(input: ManifestInput) {
  return { schema: MANIFEST_SCHEMA, product: input.product, releaseId: input.releaseId, flavour: input.flavour, securityCounter: input.securityCounter } as const;
}

function times(input: ManifestInput): { issuedAt: string; expires: string } {
  const issued = Date.parse(input.issuedAt);
  return { issuedAt: new Date(issued).toISOString(), expires: new Date(issued + input.lifetimeSeconds * 1000).toISOString() };
}
