// One simulated gateway for the agent tests: a state directory that survives "power cuts" (a new DeviceAgent over the
// same directory), the fake cloud, a loopback firmware server and a signing key.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceAgent, type AgentHooks, type DeviceAgentOptions } from '#device/agent.ts';
import { Journal } from '#device/journal.ts';
import { SlotStore } from '#device/slots.ts';
import { pinPublicKey } from '#device/verifier.ts';
import { renderJobDocument, type GenericJobDocument } from '#domain/job-document.ts';
import { MANIFEST_SCHEMA, manifestBytes, type ReleaseManifest, type SignedManifestBlock } from '#domain/release-manifest.ts';
import { FirmwareServer } from '#local/firmware-server.ts';
import { DirectJobsClient, FakeJobsCloud } from './fake-cloud.ts';
import { imageBytes, sha256Hex, signImage, testKeys, type TestKeys } from './support.ts';

export const THING = 'gateway-1';
export const FACTORY_VERSION = '1.0.0';

export class Harness {
  readonly cloud = new FakeJobsCloud();
  agent: DeviceAgent | undefined;
  slots!: SlotStore;

  private constructor(
    readonly dir: string,
    readonly server: FirmwareServer,
    readonly keys: TestKeys,
  ) {}

  static async create(): Promise<Harness> {
    return new Harness(await mkdtemp(join(tmpdir(), 'ota-agent-')), await FirmwareServer.start(), testKeys());
  }

  /** Powers the device on (again): a fresh agent over the same state directory. */
  async boot(extra: Partial<DeviceAgentOptions> & { hooks?: AgentHooks } = {}): Promise<DeviceAgent> {
    await this.agent?.stop(); // a crashed agent is gone: it must not answer notifications any more
    this.slots = new SlotStore(this.dir, { factoryVersion: FACTORY_VERSION, maxTrialBoots: 1 });
    this.agent = new DeviceAgent({
      jobs: new DirectJobsClient(this.cloud, THING),
      slots: this.slots,
      journal: await Journal.open(this.dir),
      publicKey: pinPublicKey(this.keys.publicKeyPem),
      download: { minBytesPerSecond: 1, stallWindowMs: 5000, maxAttemptsWithoutProgress: 3, retryDelayMs: () => 0, checkpointEveryBytes: 16 * 1024 },
      stepTimeoutInMinutes: 10,
      ...extra,
    });
    await this.agent.start();
    await this.agent.whenIdle();
    return this.agent;
  }

  /** Publishes an image and returns the fields a generic document needs. */
  image(version: string, size = 64 * 1024, seed = 1): { version: string; url: string; sha256: string; size: number; signature: string; bytes: Buffer } {
    const bytes = imageBytes(size, seed);
    const path = `/firmware/${version}-${seed}.bin`;
    this.server.put(path, bytes);
    return { version, url: this.server.url(path), sha256: sha256Hex(bytes), size, signature: signImage(bytes, this.keys.privateKey), bytes };
  }

  /**
   * The release manifest a pipeline would sign for this image: version, size and SHA-256 bound, counter 0, valid until
   * 2100. `changes` play the release engineer (a rollback, a counter) or the attacker (a forged field after signing).
   */
  manifest(image: { version: string; sha256: string; size: number }, changes: Partial<ReleaseManifest> = {}): ReleaseManifest {
    return {
      schema: MANIFEST_SCHEMA,
      product: 'gateway',
      releaseId: 'rel-1',
      kind: 'install',
      version: image.version,
      size: image.size,
      sha256: image.sha256,
      flavour: 'generic',
      securityCounter: 0,
      authorisedRollback: false,
      issuedAt: '2026-01-01T00:00:00.000Z',
      expires: '2100-01-01T00:00:00.000Z',
      ...changes,
    };
  }

  /** Signs a manifest as the release signer does (ECDSA P-256 over the SHA-256 of its exact bytes). */
  sign(manifest: ReleaseManifest, key = this.keys.privateKey): SignedManifestBlock {
    const bytes = manifestBytes(manifest);
    return { payload: bytes.toString('base64'), signature: { algorithm: 'ECDSA-SHA256', value: signImage(bytes, key), keyId: 'local:test' } };
  }

  /** A generic document with a signed manifest for the image (pass `manifest` in `extra` to carry another, or none). */
  document(image: { version: string; url: string; sha256: string; size: number; signature: string }, extra: Partial<GenericJobDocument> = {}): string {
    const document: GenericJobDocument = {
      manifest: this.sign(this.manifest(image)),
      operation: 'firmwareUpdate',
      releaseId: 'rel-1',
      purpose: 'release',
      version: image.version,
      previousVersion: FACTORY_VERSION,
      firmwareUrl: image.url,
      checksumAlgorithm: 'SHA256',
      checksum: image.sha256,
      firmwareSize: image.size,
      releaseNotes: '',
      signature: { algorithm: 'ECDSA-SHA256', value: image.signature, keyId: 'local:test' },
      ...extra,
    };
    return renderJobDocument(document);
  }

  async offer(jobId: string, document: string | (() => string)): Promise<void> {
    this.cloud.addJob(THING, jobId, typeof document === 'string' ? () => document : document);
    await this.settle();
  }

  /** Waits until the agent has nothing left to do (notifications are delivered on setImmediate). */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await this.agent?.whenIdle();
    }
  }

  async close(): Promise<void> {
    await this.agent?.stop();
    await this.server.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
