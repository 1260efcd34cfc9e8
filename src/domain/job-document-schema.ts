// The job document schemas (zod) in the two seed flavours, shared by the builder (job-document.ts) and the device
// side's parser (job-document-parse.ts).
import { z } from 'zod';
import { HealthReporting } from './health-report.ts';
import { SignedManifestBlock } from './release-manifest.ts';

/** CreateJob `document` and GetJobDocument both stop at 32,768 characters. */
export const JOB_DOCUMENT_MAX_CHARS = 32768;
/** A statusDetails value may hold at most 1,024 characters. */
export const STATUS_DETAIL_MAX_CHARS = 1024;

export type JobDocumentPurpose = 'release' | 'rollback';

/** `${aws:iot:s3-presigned-url:https://…}`; group 1 is the object URL. */
export const PRESIGNED_URL = /^\$\{aws:iot:s3-presigned-url:(https:\/\/[^}\s]+)\}$/;
const isUrl = (text: string) => /^https?:\/\/[^\s]+$/.test(text) && URL.canParse(text);

/** A plain http(s) URL, or the `${aws:iot:s3-presigned-url:…}` placeholder IoT Jobs replaces per device. */
const FirmwareUrl = z.string().refine((text) => isUrl(text) || PRESIGNED_URL.test(text), 'expected an http(s) URL or an ${aws:iot:s3-presigned-url:…} placeholder');
const Version = z.string().min(1).max(64);

const Signature = z.strictObject({
  algorithm: z.literal('ECDSA-SHA256'),
  value: z.string().min(1).max(1024),
  keyId: z.string().min(1).max(256),
  signerJobId: z.string().optional(),
});

export const GenericJobDocument = z.strictObject({
  operation: z.literal('firmwareUpdate'),
  releaseId: z.string().min(1),
  purpose: z.enum(['release', 'rollback']),
  version: Version,
  previousVersion: Version,
  firmwareUrl: FirmwareUrl,
  checksumAlgorithm: z.literal('SHA256'),
  checksum: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  firmwareSize: z.number().int().positive(),
  releaseNotes: z.string(),
  rollbackVersion: Version.optional(),
  rollbackUrl: FirmwareUrl.optional(),
  signature: Signature,
  /** Set on rollback documents: the device may install a version older than the one it runs. */
  authorisedRollback: z.boolean().optional(),
  /** The signed release manifest (release-manifest.ts): what the device agent takes version, digest and counter from. */
  manifest: SignedManifestBlock.optional(),
  /** How often to publish health reports after the update, and how long the warm-up lasts (health-report.ts). */
  health: HealthReporting.optional(),
});
export type GenericJobDocument = z.infer<typeof GenericJobDocument>;

export const RevertJobDocument = z.strictObject({
  operation: z.literal('firmwareRevert'),
  releaseId: z.string().min(1),
  purpose: z.literal('rollback'),
  /** The version to go back to: the one the device kept in its other slot. */
  version: Version,
  /** The version being backed out. */
  previousVersion: Version,
  authorisedRollback: z.literal(true),
  /** The signed revert statement. */
  manifest: SignedManifestBlock.optional(),
});
export type RevertJobDocument = z.infer<typeof RevertJobDocument>;

export const NrfJobDocument = z.object({
  operation: z.literal('app_fw_update'),
  fwversion: Version,
  size: z.number().int().positive(),
  location: z.object({
    protocol: z.enum(['http:', 'https:', 'http', 'https']),
    host: z.string().min(1),
    path: z.string().min(1),
    url: FirmwareUrl.optional(),
  }),
  releaseId: z.string().min(1).optional(),
  purpose: z.enum(['release', 'rollback']).optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits').optional(),
  signature: Signature.optional(),
  authorisedRollback: z.boolean().optional(),
  manifest: SignedManifestBlock.optional(),
  /** As in the generic flavour; aws_fota ignores it, the reference agent reads it. */
  health: HealthReporting.optional(),
});
export type NrfJobDocument = z.infer<typeof NrfJobDocument>;

export type JobDocument = GenericJobDocument | RevertJobDocument | NrfJobDocument;
