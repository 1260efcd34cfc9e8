// Reading a job document on the device side: a typed document, or short plain reasons the agent puts in the
// REJECTED status details. Unknown operations and malformed fields are reasons, never exceptions.
import { z } from 'zod';
import type { FirmwareSignature } from './firmware.ts';
import type { HealthReporting } from './health-report.ts';
import type { SignedManifestBlock } from './release-manifest.ts';
import {
  GenericJobDocument,
  JOB_DOCUMENT_MAX_CHARS,
  NrfJobDocument,
  RevertJobDocument,
  STATUS_DETAIL_MAX_CHARS,
  type JobDocument,
} from './job-document-schema.ts';

export type ParsedJobDocument = { ok: true; document: JobDocument } | { ok: false; reasons: string[] };

const SCHEMAS = { firmwareUpdate: GenericJobDocument, firmwareRevert: RevertJobDocument, app_fw_update: NrfJobDocument } as const;
const OPERATIONS = Object.keys(SCHEMAS) as Array<keyof typeof SCHEMAS>;

export function parseJobDocument(text: string | unknown): ParsedJobDocument {
  let value: unknown = text;
  if (typeof text === 'string') {
    if (text.length > JOB_DOCUMENT_MAX_CHARS) return { ok: false, reasons: [`document has ${text.length} characters, more than ${JOB_DOCUMENT_MAX_CHARS}`] };
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, reasons: ['document is not valid JSON'] };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reasons: ['document is not a JSON object'] };
  const operation = (value as { operation?: unknown }).operation;
  if (typeof operation !== 'string' || !(OPERATIONS as string[]).includes(operation)) {
    return { ok: false, reasons: [`unsupported operation ${JSON.stringify(operation ?? null)} (expected ${OPERATIONS.join(', ')})`] };
  }
  const result = (SCHEMAS[operation as keyof typeof SCHEMAS] as z.ZodType<JobDocument>).safeParse(value);
  if (result.success) return { ok: true, document: result.data };
  return { ok: false, reasons: result.error.issues.map(shortReason) };
}

function shortReason(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || 'document';
  if (issue.code === 'invalid_type') return `${path}: expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') return `${path}: unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_value') return `${path}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  if (issue.code === 'too_small') return `${path}: must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
  if (issue.code === 'too_big') return `${path}: must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
  return `${path}: ${issue.message}`;
}

/** The reasons as one statusDetails value (≤ 1,024 characters). */
export function rejectionDetail(reasons: string[]): string {
  const joined = reasons.join('; ');
  return joined.length <= STATUS_DETAIL_MAX_CHARS ? joined : `${joined.slice(0, STATUS_DETAIL_MAX_CHARS - 1)}…`;
}

/** What a device is asked to do, the same for every flavour. */
export type UpdateInstruction =
  | {
      kind: 'install';
      releaseId?: string;
      version: string;
      url: string;
      size: number;
      /** Absent for plain nRF documents, which rely on the bootloader's own image check. */
      sha256?: string;
      signature?: FirmwareSignature;
      /** The device may install a version older than its own only when this is true. */
      authorisedRollback: boolean;
      manifest?: SignedManifestBlock;
      /** How the release wants health reported after this update (releases with health gates only). */
      health?: HealthReporting;
    }
  | { kind: 'revert'; releaseId: string; version: string; fromVersion: string; authorisedRollback: true; manifest?: SignedManifestBlock };

export function toUpdateInstruction(document: JobDocument): UpdateInstruction {
  switch (document.operation) {
    case 'firmwareUpdate':
      return {
        kind: 'install',
        releaseId: document.releaseId,
        version: document.version,
        url: document.firmwareUrl,
        size: document.firmwareSize,
        sha256: document.checksum,
        signature: document.signature,
        authorisedRollback: document.authorisedRollback === true,
        ...(document.manifest === undefined ? {} : { manifest: document.manifest }),
        ...(document.health === undefined ? {} : { health: document.health }),
      };
    case 'firmwareRevert':
      return {
        kind: 'revert',
        releaseId: document.releaseId,
        version: document.version,
        fromVersion: document.previousVersion,
        authorisedRollback: true,
        ...(document.manifest === undefined ? {} : { manifest: document.manifest }),
      };
    case 'app_fw_update': {
      const { protocol, host, path, url } = document.location;
      return {
        kind: 'install',
        ...(document.releaseId === undefined ? {} : { releaseId: document.releaseId }),
        version: document.fwversion,
        url: url ?? `${protocol.replace(/:$/, '')}://${host}/${path.replace(/^\//, '')}`,
        size: document.size,
        ...(document.sha256 === undefined ? {} : { sha256: document.sha256 }),
        ...(document.signature === undefined ? {} : { signature: document.signature }),
        authorisedRollback: document.authorisedRollback === true,
        ...(document.manifest === undefined ? {} : { manifest: document.manifest }),
        ...(document.health === undefined ? {} : { health: document.health }),
      };
    }
  }
}
