// FirmwareStore on the local disk: images are read once, measured (SHA-256, size) and kept in memory so the signer,
// a firmware server and the simulated fleet can reach the bytes. S3 sources need the deployed stack.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FirmwareLocation } from '#domain/firmware.ts';
import type { FirmwareSource } from '#domain/release-request.ts';
import type { FirmwareStore, ManifestRole, StoredFirmware } from '#ports/firmware.ts';
import { NotFoundError } from '#ports/errors.ts';
import { LocalOptionsError } from '../errors.ts';

export interface LocalFirmwareStoreOptions {
  /** Relative `firmware.source.file` paths resolve against this directory (the release file's). */
  baseDir: string;
  /** Where devices download from, e.g. a loopback firmware server's origin; `file://` URLs without it. */
  downloadOrigin?: string;
}

export class LocalFirmwareStore implements FirmwareStore {
  private readonly images = new Map<string, { bytes: Uint8Array; stored: StoredFirmware }>();
  private readonly manifests = new Map<string, Uint8Array>();
  downloadOrigin: string | undefined;

  constructor(private readonly options: LocalFirmwareStoreOptions) {
    this.downloadOrigin = options.downloadOrigin;
  }

  async put(source: FirmwareSource, _releaseId: string, _role: 'release' | 'rollback'): Promise<StoredFirmware> {
    if (!('file' in source)) {
      throw new LocalOptionsError(`the local cloud reads firmware from files; s3://${source.s3.bucket}/${source.s3.key} needs the deployed stack`);
    }
    const path = resolve(this.options.baseDir, source.file);
    const known = this.images.get(path);
    if (known) return known.stored;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new NotFoundError(`cannot read firmware file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    const stored: StoredFirmware = { location: { kind: 'file', path }, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    this.images.set(path, { bytes, stored });
    return stored;
  }

  /** Keeps a manifest's bytes in memory under a path of its own, where the local signer reads them. */
  async putManifest(bytes: Uint8Array, releaseId: string, role: ManifestRole): Promise<StoredFirmware> {
    const path = `manifest:${releaseId}/${role}.json`;
    const stored: StoredFirmware = { location: { kind: 'file', path }, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    this.manifests.set(path, Uint8Array.from(bytes));
    return stored;
  }

  documentUrl(location: FirmwareLocation): string {
    if (location.kind !== 'file') throw new LocalOptionsError('the local cloud serves only local files');
    if (this.downloadOrigin) return `${this.downloadOrigin}/firmware/${encodeURIComponent(pathKey(location.path))}`;
    return `file://${location.path}`;
  }

  /** The bytes of a stored image, by path or by the key its download URL carries. */
  bytes(pathOrKey: string): Uint8Array {
    const manifest = this.manifests.get(pathOrKey);
    if (manifest) return manifest;
    for (const [path, image] of this.images) {
      if (path === pathOrKey || pathKey(path) === pathOrKey) return image.bytes;
    }
    throw new NotFoundError(`no stored firmware ${pathOrKey}`);
  }

  /** Every stored image with its URL key, for a firmware server to publish. */
  entries(): Array<{ key: string; path: string; bytes: Uint8Array }> {
    return [...this.images].map(([path, image]) => ({ key: pathKey(path), path, bytes: image.bytes }));
  }
}

/** A URL-safe, stable object key for a local path: its base name prefixed by a short hash of the full path. */
function pathKey(path: string): string {
  const base = path.split('/').pop() ?? 'image';
  return `${createHash('sha256').update(path).digest('hex').slice(0, 8)}-${base}`;
}
