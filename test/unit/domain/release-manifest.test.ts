import { buildJobDocument, parseJobDocument, toUpdateInstruction } from '#domain/job-document.ts';
import { imageManifest, manifestBytes, parseManifest, revertManifest, type ManifestInput } from '#domain/release-manifest.ts';
import { aRequest, aSignedFirmware, withRollbackImage } from './support/requests.ts';

const INPUT: ManifestInput = { product: 'gateway', releaseId: 'gw-2-4-0', flavour: 'generic', securityCounter: 4, issuedAt: '2026-03-01T10:00:00.000Z', lifetimeSeconds: 86400 };
const IMAGE = { version: '2.4.0', size: 262144, sha256: 'a'.repeat(64) };
const SIGNED = { payload: 'eyJ9', signature: { algorithm: 'ECDSA-SHA256' as const, value: 'MEUCIQDmanifest', keyId: 'local:abc123' } };

describe('release manifests', () => {
  it('binds product, version, size, SHA-256, flavour, counter and an expiry after the lifetime', () => {
    expect(imageManifest(INPUT, IMAGE)).toEqual({
      schema: 'ota-release/manifest/v1',
      product: 'gateway',
      releaseId: 'gw-2-4-0',
      flavour: 'generic',
      securityCounter: 4,
      kind: 'install',
      version: '2.4.0',
      size: 262144,
      sha256: 'a'.repeat(64),
      authorisedRollback: false,
      issuedAt: '2026-03-01T10:00:00.000Z',
      expires: '2026-03-02T10:00:00.000Z',
    });
  });

  it('signs a rollback as authorised only from the version it backs out', () => {
    expect(imageManifest(INPUT, { ...IMAGE, version: '2.3.1' }, '2.4.0')).toMatchObject({ kind: 'install', version: '2.3.1', authorisedRollback: true, rollbackFrom: '2.4.0' });
    expect(revertManifest(INPUT, '2.3.1', '2.4.0')).toMatchObject({ kind: 'revert', version: '2.3.1', authorisedRollback: true, rollbackFrom: '2.4.0' });
    expect(revertManifest(INPUT, '2.3.1', '2.4.0')).not.toHaveProperty('sha256');
  });

  it('gives the same bytes for the same input, so a retried signing signs the same thing', () => {
    expect(manifestBytes(imageManifest(INPUT, IMAGE)).equals(manifestBytes(imageManifest({ ...INPUT }, { ...IMAGE })))).toBe(true);
  });

  it('reads its own bytes back', () => {
    const manifest = revertManifest(INPUT, '2.3.1', '2.4.0');
    expect(parseManifest(manifestBytes(manifest))).toEqual({ ok: true, manifest });
  });

  it.each([
    ['not JSON', Buffer.from('{'), /not valid JSON/],
    ['an install without its digest', Buffer.from(JSON.stringify({ ...imageManifest(INPUT, IMAGE), sha256: undefined })), /size and sha256 are required/],
    ['a rollback that names no version to back out', Buffer.from(JSON.stringify({ ...imageManifest(INPUT, IMAGE), authorisedRollback: true })), /rollbackFrom/],
    ['an unknown field', Buffer.from(JSON.stringify({ ...imageManifest(INPUT, IMAGE), trusted: true })), /trusted/],
  ])('refuses %s with a reason', (_label, bytes, reason) => {
    const parsed = parseManifest(bytes);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });
});

describe('job documents carry the signed manifest', () => {
  it.each(['generic', 'nrf'] as const)('in the %s flavour, and the device side reads it back', (flavour) => {
    const request = aRequest({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' }, flavour } });
    const { text } = buildJobDocument(request, { ...aSignedFirmware(), manifest: SIGNED }, { firmwareUrl: 'https://fw.example.com/a.bin' }, 'release');

    const parsed = parseJobDocument(text);

    expect(parsed.ok && toUpdateInstruction(parsed.document).manifest).toEqual(SIGNED);
  });

  it('in rollback documents: the rollback image manifest, or the revert statement', () => {
    const request = aRequest({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' } } });
    const withImage = withRollbackImage(aSignedFirmware());
    const rollbackManifest = { ...SIGNED, payload: 'cm9sbGJhY2s=' };
    const revertStatement = { ...SIGNED, payload: 'cmV2ZXJ0' };

    expect(buildJobDocument(request, { ...withImage, rollback: { ...withImage.rollback!, manifest: rollbackManifest } }, { firmwareUrl: 'https://fw.example.com/b.bin' }, 'rollback').document).toMatchObject({ manifest: rollbackManifest });
    expect(buildJobDocument(aRequest(), { ...aSignedFirmware(), revertManifest: revertStatement }, { firmwareUrl: '' }, 'rollback').document).toMatchObject({ operation: 'firmwareRevert', manifest: revertStatement });
  });
});
