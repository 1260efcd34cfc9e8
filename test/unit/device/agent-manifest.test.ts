// The signed release manifest as the agent's only source of version, image digest and anti-rollback counter. Each case
// is an attack or a mistake the image signature alone let through.
import { Harness, THING } from './agent-harness.ts';
import { testKeys } from './support.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.create();
});
afterEach(async () => {
  await harness.close();
});

const finals = () => harness.cloud.finalStatuses(THING).map((final) => [final.jobId, final.status, final.statusDetails?.reason]);

describe('DeviceAgent and the signed release manifest', () => {
  it('refuses a genuinely signed old image relabelled as 99.0.0, and still takes the real fix afterwards', async () => {
    await harness.boot();
    const old = harness.image('0.9.0', 64 * 1024, 7);
    const genuineOldManifest = harness.sign(harness.manifest(old));

    await harness.offer('job-relabelled', harness.document({ ...old, version: '99.0.0' }, { manifest: genuineOldManifest }));
    await harness.offer('job-old', harness.document(old, { manifest: genuineOldManifest }));
    await harness.offer('job-fix', harness.document(harness.image('2.0.0')));

    expect(finals()).toEqual([
      ['job-relabelled', 'REJECTED', 'MANIFEST_MISMATCH'],
      ['job-old', 'REJECTED', 'OLDER_VERSION'],
      ['job-fix', 'SUCCEEDED', undefined],
    ]);
    expect(harness.agent?.runningVersion).toBe('2.0.0');
    expect(harness.server.requests.map((request) => request.path)).toEqual([expect.stringContaining('2.0.0')]);
  });

  it.each([
    ['no manifest', (h: Harness, image: ReturnType<Harness['image']>) => h.document(image, { manifest: undefined }), 'UNSIGNED_MANIFEST'],
    ['a manifest signed by another key', (h: Harness, image: ReturnType<Harness['image']>) => h.document(image, { manifest: h.sign(h.manifest(image), testKeys().privateKey) }), 'BAD_MANIFEST_SIGNATURE'],
    [
      'a manifest whose version was changed after signing',
      (h: Harness, image: ReturnType<Harness['image']>) => {
        const signed = h.sign(h.manifest(image));
        const forged = Buffer.from(Buffer.from(signed.payload, 'base64').toString('utf8').replace('"2.0.0"', '"9.0.0"')).toString('base64');
        return h.document({ ...image, version: '9.0.0' }, { manifest: { ...signed, payload: forged } });
      },
      'BAD_MANIFEST_SIGNATURE',
    ],
    ['an expired manifest (a freeze attack)', (h: Harness, image: ReturnType<Harness['image']>) => h.document(image, { manifest: h.sign(h.manifest(image, { expires: '2026-01-02T00:00:00.000Z' })) }), 'MANIFEST_EXPIRED'],
    ['a document whose size disagrees with the manifest', (h: Harness, image: ReturnType<Harness['image']>) => h.document({ ...image, size: image.size + 1 }, { manifest: h.sign(h.manifest(image)) }), 'MANIFEST_MISMATCH'],
    ['a manifest for another product', (h: Harness, image: ReturnType<Harness['image']>) => h.document(image, { manifest: h.sign(h.manifest(image, { product: 'thermostat' })) }), 'WRONG_PRODUCT'],
  ])('rejects %s before downloading anything', async (_label, makeDocument, reason) => {
    await harness.boot({ product: 'gateway' });

    await harness.offer('job-1', makeDocument(harness, harness.image('2.0.0')));

    expect(finals()).toEqual([['job-1', 'REJECTED', reason]]);
    expect(harness.server.requests).toHaveLength(0);
    expect(harness.agent?.runningVersion).toBe('1.0.0');
  });

  it('compares the digest, not only the version, when the offered version is already running', async () => {
    await harness.boot();
    const image = harness.image('2.0.0', 64 * 1024, 1);
    await harness.offer('job-1', harness.document(image));

    await harness.offer('job-same', harness.document(image));
    await harness.offer('job-other-bytes', harness.document(harness.image('2.0.0', 64 * 1024, 2)));

    expect(finals()).toEqual([
      ['job-1', 'SUCCEEDED', undefined],
      ['job-same', 'SUCCEEDED', undefined],
      ['job-other-bytes', 'REJECTED', 'VERSION_CONFLICT'],
    ]);
    expect(harness.cloud.finalStatuses(THING)[1]?.statusDetails?.step).toBe('already-installed');
  });

  it('keeps the security counter of every committed image as a floor that no later manifest may go below', async () => {
    await harness.boot();
    await harness.offer('job-secure', harness.document(harness.image('2.0.0'), { manifest: harness.sign(harness.manifest(harness.image('2.0.0'), { securityCounter: 3 })) }));
    const newerButOlderEpoch = harness.image('2.1.0', 64 * 1024, 3);

    await harness.offer('job-low', harness.document(newerButOlderEpoch, { manifest: harness.sign(harness.manifest(newerButOlderEpoch, { securityCounter: 2 })) }));

    expect(finals()).toEqual([
      ['job-secure', 'SUCCEEDED', undefined],
      ['job-low', 'REJECTED', 'SECURITY_COUNTER'],
    ]);
    expect(await harness.slots.securityFloor()).toBe(3);
  });

  it('accepts a signed rollback only from the version it names, so a replay cannot send another version back', async () => {
    await harness.boot();
    await harness.offer('job-2', harness.document(harness.image('2.0.0')));
    await harness.offer('job-3', harness.document(harness.image('3.0.0', 64 * 1024, 4)));
    const old = harness.image('1.5.0', 64 * 1024, 5);
    const rollbackFrom2 = harness.sign(harness.manifest(old, { authorisedRollback: true, rollbackFrom: '2.0.0' }));
    const rollbackFrom3 = harness.sign(harness.manifest(old, { authorisedRollback: true, rollbackFrom: '3.0.0' }));

    await harness.offer('job-replayed', harness.document(old, { authorisedRollback: true, manifest: rollbackFrom2 }));
    await harness.offer('job-unsigned-claim', harness.document(old, { authorisedRollback: true }));
    await harness.offer('job-rollback', harness.document(old, { authorisedRollback: true, manifest: rollbackFrom3 }));

    expect(finals().slice(2)).toEqual([
      ['job-replayed', 'REJECTED', 'OLDER_VERSION'],
      ['job-unsigned-claim', 'REJECTED', 'MANIFEST_MISMATCH'],
      ['job-rollback', 'SUCCEEDED', undefined],
    ]);
    expect(harness.agent?.runningVersion).toBe('1.5.0');
  });
});
