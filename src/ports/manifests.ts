// ReleaseManifests: release manifests dropped next to the firmware in a bucket, and the images they name.
// AWS: S3 GetObject / HeadObject on the firmware bucket. Kept apart from FirmwareStore, which measures and signs:
// reading a manifest only needs to know what is there, and at which version.

/** An object in a bucket, at a version when one is named. */
export interface ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
}

/** What a bucket holds at a ref: the version present (absent when the bucket keeps none) and its own metadata. */
export type ObjectLookup =
  | { status: 'present'; versionId?: string; metadata: Record<string, string> }
  /** No such object, or no such version of it. */
  | { status: 'missing' }
  /** Refused: S3 answers 403 for a missing object to a reader without s3:ListBucket, or for a bucket it may not read. */
  | { status: 'unreadable' };

export interface ReleaseManifests {
  /** The object's text (UTF-8); undefined when it is missing or unreadable. Throws TransientError on throttling. */
  read(ref: ObjectRef): Promise<string | undefined>;
  /** Looks an object up without reading it (HeadObject). Throws TransientError on throttling. */
  lookup(ref: ObjectRef): Promise<ObjectLookup>;
}
