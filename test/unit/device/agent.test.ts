import { readFile } from 'node:fs/promises';
import type { ProgressEvent } from '#device/progress-events.ts';
import { MANIFEST_SCHEMA } from '#domain/release-manifest.ts';
import { Harness, THING } from './agent-harness.ts';
import { signImage, testKeys } from './support.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.create();
});
afterEach(async () => {
  await harness.close();
});

describe('DeviceAgent', () => {
  it('installs an update into the inactive slot, boots it, commits it and reports each step', async () => {
    const events: ProgressEvent[] = [];
    await harness.boot({ onEvent: (event) => events.push(event) });
    const image = harness.image('2.0.0', 200_000);

    await harness.offer('job-1', harness.document(image));

    expect(harness.cloud.finalStatuses(THING)).toEqual([{ jobId: 'job-1', status: 'SUCCEEDED', statusDetails: { runningVersion: '2.0.0', fromVersion: '1.0.0' } }]);
    expect(harness.cloud.steps(THING, 'job-1')).toEqual(expect.arrayContaining(['downloading', 'rebooting']));
    expect(harness.cloud.steps(THING, 'job-1')[0]).toBe('downloading');
    expect(harness.agent?.runningVersion).toBe('2.0.0');
    expect(harness.slots.running).toMatchObject({ slot: 'b', trial: false });
    expect(await readFile(harness.slots.imagePath('b'))).toEqual(image.bytes);
    expect(events.map((event) => event.type).filter((type, index, all) => type !== all[index - 1])).toEqual(['ERASE_PENDING', 'ERASE_DONE', 'START', 'DL_PROGRESS', 'DONE']);
  });

  it('sends progress as statusDetails every 25 % with expectedVersion kept in step', async () => {
    await harness.boot();
    await harness.offer('job-1', harness.document(harness.image('2.0.0', 400_000)));

    const updates = harness.cloud.updates.filter((update) => update.jobId === 'job-1');
    expect(updates.every((update) => update.accepted)).toBe(true);
    // Updates that pile up while one is in flight are coalesced (latest wins), so not every quarter need appear.
    const progress = updates.map((update) => update.request.statusDetails?.progress).filter(Boolean).map((value) => Number(/^(\d+)%$/.exec(value as string)?.[1]));
    expect(progress.length).toBeGreaterThan(0);
    progress.forEach((percent, index) => {
      expect(percent).toBeGreaterThanOrEqual(index === 0 ? 25 : (progress[index - 1] as number) + 25);
      expect(percent).toBeLessThan(100);
    });
    expect(updates.every((update) => update.request.status !== 'IN_PROGRESS' || update.request.stepTimeoutInMinutes === 10)).toBe(true);
  });

  it.each([
    ['not JSON', '{"operation":', /not valid JSON/],
    ['an unknown operation', JSON.stringify({ operation: 'reboot' }), /unsupported operation "reboot"/],
    ['a malformed checksum', undefined, /checksum: expected 64 lowercase hex digits/],
  ])('rejects %s with the reason in statusDetails', async (_label, text, reason) => {
    await harness.boot();
    const document = text ?? harness.document(harness.image('2.0.0'), { checksum: 'abc' });

    await harness.offer('job-1', document);

    const [final] = harness.cloud.finalStatuses(THING);
    expect(final).toMatchObject({ status: 'REJECTED', statusDetails: { reason: 'BAD_DOCUMENT', runningVersion: '1.0.0' } });
    expect(final?.statusDetails?.detail).toMatch(reason);
    expect(harness.server.requests).toHaveLength(0);
  });

  it('refuses an older version unless the job is an authorised rollback', async () => {
    await harness.boot();
    await harness.offer('job-up', harness.document(harness.image('2.0.0')));
    const old = harness.image('1.5.0', 64 * 1024, 2);

    await harness.offer('job-old', harness.document(old));
    const rollback = harness.sign(harness.manifest(old, { authorisedRollback: true, rollbackFrom: '2.0.0' }));
    await harness.offer('job-rollback', harness.document(old, { purpose: 'rollback', authorisedRollback: true, manifest: rollback }));

    expect(harness.cloud.finalStatuses(THING).map((final) => [final.jobId, final.status, final.statusDetails?.reason])).toEqual([
      ['job-up', 'SUCCEEDED', undefined],
      ['job-old', 'REJECTED', 'OLDER_VERSION'],
      ['job-rollback', 'SUCCEEDED', undefined],
    ]);
    expect(harness.agent?.runningVersion).toBe('1.5.0');
  });

  it.each([
    ['a tampered image', (h: Harness) => {
      const image = h.image('2.0.0');
      h.server.put(new URL(image.url).pathname, Buffer.from(image.bytes.map((byte, index) => (index === 100 ? byte ^ 1 : byte))));
      return h.document(image);
    }, 'CHECKSUM_MISMATCH'],
    ['a signature by another key', (h: Harness) => {
      const image = h.image('2.0.0');
      return h.document({ ...image, signature: signImage(image.bytes, testKeys().privateKey) });
    }, 'BAD_SIGNATURE'],
    ['a signature with one bit flipped', (h: Harness) => {
      const image = h.image('2.0.0');
      const signature = Buffer.from(image.signature, 'base64');
      signature[signature.length - 1]! ^= 1;
      return h.document({ ...image, signature: signature.toString('base64') });
    }, 'BAD_SIGNATURE'],
  ])('fails %s, erases the slot and keeps running the old version', async (_label, makeDocument, reason) => {
    await harness.boot();

    await harness.offer('job-1', makeDocument(harness));

    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ status: 'FAILED', statusDetails: expect.objectContaining({ reason, runningVersion: '1.0.0' }) })]);
    expect(await harness.slots.read('b')).toEqual({ state: 'EMPTY' });
    expect(harness.slots.running).toMatchObject({ slot: 'a', version: '1.0.0' });
  });

  it('rolls back to the previous slot when the new image fails its self-test, and says so', async () => {
    await harness.boot({ hooks: { selfTest: async () => ({ ok: false, detail: 'service did not start' }) } });

    await harness.offer('job-1', harness.document(harness.image('2.0.0')));

    expect(harness.cloud.finalStatuses(THING)).toEqual([
      expect.objectContaining({ status: 'FAILED', statusDetails: expect.objectContaining({ reason: 'SELF_TEST_FAILED', runningVersion: '1.0.0' }) }),
    ]);
    expect(harness.cloud.finalStatuses(THING)[0]?.statusDetails?.detail).toMatch(/service did not start; rolled back to 1.0.0/);
    expect(harness.slots.running).toMatchObject({ slot: 'a', version: '1.0.0', trial: false });
  });

  it('installs once however often and in whatever order the notification arrives', async () => {
    await harness.boot();
    const image = harness.image('2.0.0');
    harness.cloud.addJob(THING, 'job-1', () => harness.document(image));
    harness.cloud.notify(THING);
    harness.cloud.notify(THING);
    void harness.agent?.check();
    await harness.settle();
    harness.cloud.notify(THING); // a stale duplicate after the job has finished
    await harness.settle();

    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ jobId: 'job-1', status: 'SUCCEEDED' })]);
    expect(harness.server.requests).toHaveLength(1);
  });

  it('adopts the cloud versionNumber after a VersionMismatch and carries on', async () => {
    await harness.boot({
      onStep: (step) => {
        if (step === 'verify') harness.cloud.bumpVersion(THING, 'job-1');
      },
    });

    await harness.offer('job-1', harness.document(harness.image('2.0.0')));

    expect(harness.cloud.updates.filter((update) => !update.accepted).map((update) => update.request.status)).toEqual(['IN_PROGRESS']);
    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
  });

  it('stops and erases the partial image when the job is cancelled mid-download', async () => {
    await harness.boot({
      onStep: (step) => {
        if (step === 'download-checkpoint') harness.cloud.cancel(THING, 'job-1');
      },
    });

    await harness.offer('job-1', harness.document(harness.image('2.0.0', 200_000)));

    expect(harness.cloud.finalStatuses(THING)).toEqual([]);
    expect(await harness.slots.read('b')).toEqual({ state: 'EMPTY' });
    expect(await harness.slots.marker()).toEqual({ active: 'a' });
    expect(harness.agent?.runningVersion).toBe('1.0.0');
  });

  it('reports success without downloading when the version is already running', async () => {
    await harness.boot();
    await harness.offer('job-1', harness.document(harness.image('1.0.0')));

    expect(harness.cloud.finalStatuses(THING)).toEqual([{ jobId: 'job-1', status: 'SUCCEEDED', statusDetails: { step: 'already-installed', runningVersion: '1.0.0' } }]);
    expect(harness.server.requests).toHaveLength(0);
  });

  it('installs the nRF flavour (app_fw_update)', async () => {
    await harness.boot();
    const image = harness.image('2.0.0');
    const url = new URL(image.url);
    const document = JSON.stringify({
      operation: 'app_fw_update',
      fwversion: '2.0.0',
      size: image.size,
      location: { protocol: 'http', host: url.host, path: url.pathname.slice(1) },
      sha256: image.sha256,
      signature: { algorithm: 'ECDSA-SHA256', value: image.signature, keyId: 'local:test' },
      manifest: harness.sign(harness.manifest(image, { flavour: 'nrf' })),
    });

    await harness.offer('job-1', document);

    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    expect(harness.agent?.runningVersion).toBe('2.0.0');
  });

  it('goes back to the image kept in the other slot for a firmwareRevert job', async () => {
    await harness.boot();
    await harness.offer('job-1', harness.document(harness.image('2.0.0')));

    const { schema: _schema, kind: _kind, version: _version, size: _size, sha256: _sha256, authorisedRollback: _authorised, ...rest } = harness.manifest({ version: '1.0.0', sha256: '', size: 0 });
    const revert = harness.sign({ ...rest, schema: MANIFEST_SCHEMA, kind: 'revert', version: '1.0.0', authorisedRollback: true, rollbackFrom: '2.0.0' });
    await harness.offer('job-revert', JSON.stringify({ operation: 'firmwareRevert', releaseId: 'rel-1', purpose: 'rollback', version: '1.0.0', previousVersion: '2.0.0', authorisedRollback: true, manifest: revert }));

    expect(harness.cloud.finalStatuses(THING).at(-1)).toMatchObject({ jobId: 'job-revert', status: 'SUCCEEDED', statusDetails: { runningVersion: '1.0.0' } });
    expect(harness.slots.running).toMatchObject({ slot: 'a', version: '1.0.0' });
    expect(harness.server.requests).toHaveLength(1);
  });

  it('fetches the document again when the presigned URL has expired and continues from its offset', async () => {
    let now = 1_000_000;
    const server = harness.server as unknown as { now: () => number };
    server.now = () => now;
    await harness.boot({
      onStep: (step) => {
        if (step === 'download-checkpoint') now += 3_600_000;
      },
    });
    const image = harness.image('2.0.0', 100_000);
    const path = new URL(image.url).pathname;
    let cut = true;
    harness.server.faults.cutAfter = () => (cut ? ((cut = false), 40_000) : undefined);

    await harness.offer('job-1', () => harness.document({ ...image, url: harness.server.url(path, { expiresAt: now + 3_600_000 - 1 }) }));

    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    expect(harness.server.requests.map((request) => request.status)).toContain(403);
    expect(harness.server.bytesSent(path)).toBe(100_000);
  });
});
