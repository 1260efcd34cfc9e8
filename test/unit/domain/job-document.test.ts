import { JobDocumentError, JobDocumentTooLargeError } from '#domain/errors.ts';
import {
  buildJobDocument,
  JOB_DOCUMENT_MAX_CHARS,
  nrfLocation,
  parseJobDocument,
  presignedUrlPlaceholder,
  rejectionDetail,
  toUpdateInstruction,
} from '#domain/job-document.ts';
import { aRequest, aSignedFirmware, withRollbackImage } from './support/requests.ts';

const PLACEHOLDER = presignedUrlPlaceholder('https://s3.us-east-1.amazonaws.com/fw-bucket/gw/2.4.0.bin');
const ROLLBACK_URL = presignedUrlPlaceholder('https://s3.us-east-1.amazonaws.com/fw-bucket/gw/2.3.1.bin');

describe('generic job documents', () => {
  it('carries everything a device needs to update and to know its way back', () => {
    const request = aRequest({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' }, releaseNotes: 'Fixes the watchdog.' } });
    const { document, text } = buildJobDocument(request, withRollbackImage(aSignedFirmware()), { firmwareUrl: PLACEHOLDER, rollbackUrl: ROLLBACK_URL }, 'release');
    expect(document).toEqual({
      operation: 'firmwareUpdate',
      releaseId: 'gw-2-4-0',
      purpose: 'release',
      version: '2.4.0',
      previousVersion: '2.3.1',
      firmwareUrl: '${aws:iot:s3-presigned-url:https://s3.us-east-1.amazonaws.com/fw-bucket/gw/2.4.0.bin}',
      checksumAlgorithm: 'SHA256',
      checksum: 'a'.repeat(64),
      firmwareSize: 262144,
      releaseNotes: 'Fixes the watchdog.',
      rollbackVersion: '2.3.1',
      rollbackUrl: ROLLBACK_URL,
      signature: { algorithm: 'ECDSA-SHA256', value: 'MEUCIQDtest', keyId: 'local:abc123' },
    });
    expect(JSON.parse(text)).toEqual(document);
  });

  it('marks a rollback document as an authorised rollback to the older image', () => {
    const request = aRequest({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' } } });
    const { document } = buildJobDocument(request, withRollbackImage(aSignedFirmware()), { firmwareUrl: ROLLBACK_URL }, 'rollback');
    expect(document).toMatchObject({ operation: 'firmwareUpdate', purpose: 'rollback', version: '2.3.1', previousVersion: '2.4.0', checksum: 'b'.repeat(64), firmwareSize: 260000, authorisedRollback: true });
    expect(document).toHaveProperty('signature.value', 'MEUCIQDrollback');
  });

  it('sends devices back to their kept slot when the release has no rollback image', () => {
    const { document } = buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: '' }, 'rollback');
    expect(document).toEqual({ operation: 'firmwareRevert', releaseId: 'gw-2-4-0', purpose: 'rollback', version: '2.3.1', previousVersion: '2.4.0', authorisedRollback: true });
  });

  it('refuses to build a rollback document before the rollback image is signed', () => {
    const request = aRequest({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' } } });
    const unsigned = { ...aSignedFirmware(), rollback: { version: '2.3.1', location: { kind: 'file' as const, path: 'b.bin' } } };
    expect(() => buildJobDocument(request, unsigned, { firmwareUrl: ROLLBACK_URL }, 'rollback')).toThrow(JobDocumentError);
  });

  it('refuses a document over 32,768 characters', () => {
    const longUrl = `https://firmware.example.com/${'x'.repeat(JOB_DOCUMENT_MAX_CHARS)}`;
    expect(() => buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: longUrl }, 'release')).toThrow(JobDocumentTooLargeError);
    expect(() => buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: longUrl }, 'release')).toThrow(/at most 32768/);
  });
});

describe('nRF Connect job documents', () => {
  const nrfRequest = aRequest({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' }, flavour: 'nrf' } });

  it('uses the app_fw_update shape with the location split as aws_fota reads it', () => {
    const { document } = buildJobDocument(nrfRequest, aSignedFirmware(), { firmwareUrl: 'http://127.0.0.1:8080/firmware/gw-2-4-0/2.4.0.bin?sig=1' }, 'release');
    expect(document).toMatchObject({
      operation: 'app_fw_update',
      fwversion: '2.4.0',
      size: 262144,
      location: { protocol: 'http:', host: '127.0.0.1:8080', path: 'firmware/gw-2-4-0/2.4.0.bin?sig=1', url: 'http://127.0.0.1:8080/firmware/gw-2-4-0/2.4.0.bin?sig=1' },
      sha256: 'a'.repeat(64),
    });
  });

  it('splits a presigned placeholder into the object host and path and keeps the placeholder in url', () => {
    expect(nrfLocation(PLACEHOLDER)).toEqual({ protocol: 'https:', host: 's3.us-east-1.amazonaws.com', path: 'fw-bucket/gw/2.4.0.bin' });
  });

  it('marks an nRF rollback as authorised', () => {
    const { document } = buildJobDocument(nrfRequest, withRollbackImage(aSignedFirmware()), { firmwareUrl: ROLLBACK_URL }, 'rollback');
    expect(document).toMatchObject({ operation: 'app_fw_update', fwversion: '2.3.1', authorisedRollback: true, purpose: 'rollback' });
  });

  it('refuses an nRF rollback without a rollback image', () => {
    // The schema already refuses this; the builder must not rely on that.
    const noRollback = { ...nrfRequest, firmware: { ...nrfRequest.firmware, rollbackSource: undefined } };
    expect(() => buildJobDocument(noRollback, aSignedFirmware(), { firmwareUrl: '' }, 'rollback')).toThrow('an nRF rollback needs a rollback image');
  });
});

describe('parseJobDocument', () => {
  it.each([
    ['a generic release', buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: 'https://cdn.example.com/a.bin' }, 'release').text],
    ['a slot revert', buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: '' }, 'rollback').text],
    ['the nRF sample document', JSON.stringify({ operation: 'app_fw_update', fwversion: 'v1.0.2', size: 181124, location: { protocol: 'http:', host: 'bucket.amazonaws.com', path: 'file.bin' } })],
  ])('reads back %s', (_name, text) => {
    const parsed = parseJobDocument(text);
    expect(parsed.ok).toBe(true);
  });

  it.each([
    ['not JSON', '{"operation":', ['document is not valid JSON']],
    ['an array', '[]', ['document is not a JSON object']],
    ['an unknown operation', '{"operation":"reboot"}', ['unsupported operation "reboot" (expected firmwareUpdate, firmwareRevert, app_fw_update)']],
    ['a missing operation', '{}', ['unsupported operation null (expected firmwareUpdate, firmwareRevert, app_fw_update)']],
    ['an nRF document without size', '{"operation":"app_fw_update","fwversion":"1","location":{"protocol":"https:","host":"h","path":"p"}}', ['size: expected number']],
    ['a too large document', `{"operation":"app_fw_update","pad":"${'x'.repeat(JOB_DOCUMENT_MAX_CHARS - 37)}"}`, [`document has ${JOB_DOCUMENT_MAX_CHARS + 1} characters, more than ${JOB_DOCUMENT_MAX_CHARS}`]],
  ])('rejects %s with a plain reason', (_name, text, reasons) => {
    expect(parseJobDocument(text)).toEqual({ ok: false, reasons });
  });

  it('lists every bad field of a generic document', () => {
    const good = JSON.parse(buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: 'https://cdn.example.com/a.bin' }, 'release').text);
    const parsed = parseJobDocument(JSON.stringify({ ...good, checksum: 'XYZ', firmwareUrl: 'ftp://x', firmwareSize: -1, extra: 1 }));
    expect(parsed).toEqual({
      ok: false,
      reasons: [
        'firmwareUrl: expected an http(s) URL or an ${aws:iot:s3-presigned-url:…} placeholder',
        'checksum: expected 64 lowercase hex digits',
        'firmwareSize: must be more than 0',
        'document: unknown field extra',
      ],
    });
  });

  it('fits the reasons into one status detail value', () => {
    const detail = rejectionDetail(Array.from({ length: 100 }, (_, i) => `reason number ${i} is quite long`));
    expect(detail.length).toBe(1024);
    expect(rejectionDetail(['a', 'b'])).toBe('a; b');
  });
});

describe('toUpdateInstruction', () => {
  it('reads every flavour the same way', () => {
    const generic = buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: 'https://cdn.example.com/a.bin' }, 'release').document;
    expect(toUpdateInstruction(generic)).toMatchObject({ kind: 'install', version: '2.4.0', url: 'https://cdn.example.com/a.bin', size: 262144, sha256: 'a'.repeat(64), authorisedRollback: false });
    const nrf = { operation: 'app_fw_update', fwversion: 'v1.0.2', size: 181124, location: { protocol: 'http:', host: 'bucket.amazonaws.com', path: 'file.bin' } } as const;
    expect(toUpdateInstruction(nrf)).toEqual({ kind: 'install', version: 'v1.0.2', url: 'http://bucket.amazonaws.com/file.bin', size: 181124, authorisedRollback: false });
    const revert = buildJobDocument(aRequest(), aSignedFirmware(), { firmwareUrl: '' }, 'rollback').document;
    expect(toUpdateInstruction(revert)).toEqual({ kind: 'revert', releaseId: 'gw-2-4-0', version: '2.3.1', fromVersion: '2.4.0', authorisedRollback: true });
  });
});

describe('the health block', () => {
  const gated = (flavour: 'generic' | 'nrf' = 'generic') =>
    aRequest({
      firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'a.bin' }, rollbackSource: { file: 'b.bin' }, flavour },
      health: { gates: [{ kind: 'rate', metric: 'crashes', maxRatio: 1.2 }], reportEvery: '2m', warmUp: '30m' },
    });

  it('tells devices how often to report and how long the warm-up lasts when the release has health gates', () => {
    const { document, text } = buildJobDocument(gated(), aSignedFirmware(), { firmwareUrl: PLACEHOLDER }, 'release');
    expect(document).toHaveProperty('health', { reportEverySeconds: 120, warmUpSeconds: 1800 });
    const parsed = parseJobDocument(text);
    expect(parsed.ok && toUpdateInstruction(parsed.document)).toHaveProperty('health', { reportEverySeconds: 120, warmUpSeconds: 1800 });
  });

  it('carries it in the nRF flavour too, where the reference agent reads it', () => {
    const { text } = buildJobDocument(gated('nrf'), aSignedFirmware(), { firmwareUrl: 'http://127.0.0.1:8080/fw.bin' }, 'release');
    const parsed = parseJobDocument(text);
    expect(parsed.ok && toUpdateInstruction(parsed.document)).toHaveProperty('health', { reportEverySeconds: 120, warmUpSeconds: 1800 });
  });

  it('leaves it out without gates, so agents that predate the field still accept the document', () => {
    const { document } = buildJobDocument(aRequest({ health: { reportEvery: '2m' } }), aSignedFirmware(), { firmwareUrl: PLACEHOLDER }, 'release');
    expect(document).not.toHaveProperty('health');
  });

  it('leaves it out of rollback documents', () => {
    const { document } = buildJobDocument(gated(), withRollbackImage(aSignedFirmware()), { firmwareUrl: ROLLBACK_URL }, 'rollback');
    expect(document).not.toHaveProperty('health');
  });

  it('is refused by the parser when out of range (a device never reports every second)', () => {
    const { document } = buildJobDocument(gated(), aSignedFirmware(), { firmwareUrl: PLACEHOLDER }, 'release');
    const parsed = parseJobDocument(JSON.stringify({ ...document, health: { reportEverySeconds: 1, warmUpSeconds: 0 } }));
    expect(parsed).toEqual({ ok: false, reasons: ['health.reportEverySeconds: must be at least 10'] });
  });
});
