import type { JobExecutionState } from '#local/iot-jobs/data-plane.ts';
import { harness, settle, spec, START } from './harness.ts';

describe('LocalDataPlane', () => {
  it('starts the next execution: IN_PROGRESS with the document, presigned placeholder filled in', async () => {
    const { jobs, dataPlane } = harness(1);
    await jobs.createJob(spec({ document: JSON.stringify({ version: '2', firmwareUrl: '${aws:iot:s3-presigned-url:http://127.0.0.1:1/fw.bin}' }) }));
    const started = dataPlane.startNext('t-000001', { statusDetails: { step: 'downloading' } });
    expect(started).toMatchObject({ ok: true, value: { jobId: 'job-1', status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { step: 'downloading' } } });
    const value = (started as { value: JobExecutionState }).value;
    expect(JSON.parse(value.jobDocument!)).toEqual({ version: '2', firmwareUrl: 'http://127.0.0.1:1/fw.bin' });
  });

  it('answers a stale expectedVersion with VersionMismatch and the current state', async () => {
    const { jobs, dataPlane } = harness(1);
    await jobs.createJob(spec());
    dataPlane.startNext('t-000001', {});
    const result = dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED', expectedVersion: 1 });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'VersionMismatch', executionState: expect.objectContaining({ status: 'IN_PROGRESS', versionNumber: 2 }) }) });
  });

  it.each([
    ['a status a device may not set', { status: 'TIMED_OUT' }, 'InvalidRequest'],
    ['a bad statusDetails key', { status: 'IN_PROGRESS', statusDetails: { 'bad key': 'x' } }, 'InvalidRequest'],
  ])('refuses %s', async (_name, request, code) => {
    const { jobs, dataPlane } = harness(1);
    await jobs.createJob(spec());
    expect(dataPlane.update('t-000001', 'job-1', request as never)).toMatchObject({ ok: false, error: { code } });
  });

  it('refuses updates to a finished execution', async () => {
    const { jobs, dataPlane } = harness(1);
    await jobs.createJob(spec());
    dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED' });
    expect(dataPlane.update('t-000001', 'job-1', { status: 'FAILED' })).toMatchObject({ ok: false, error: { code: 'InvalidStateTransition' } });
  });

  it('lists pending executions and answers ResourceNotFound for unknown ones', async () => {
    const { jobs, dataPlane } = harness(1);
    await jobs.createJob(spec());
    expect(dataPlane.getPending('t-000001')).toMatchObject({ ok: true, value: { inProgressJobs: [], queuedJobs: [{ jobId: 'job-1', status: 'QUEUED' }] } });
    expect(dataPlane.describe('t-000001', 'nope', {})).toMatchObject({ ok: false, error: { code: 'ResourceNotFound' } });
  });

  it('notifies notify-next only when which execution is next changes', async () => {
    const { jobs, dataPlane, scheduler } = harness(1);
    const messages: Array<string | undefined> = [];
    dataPlane.onNextChanged('t-000001', (message) => messages.push(message.execution?.jobId));
    await jobs.createJob(spec());
    await jobs.createJob(spec({ jobId: 'job-2' }));
    dataPlane.startNext('t-000001', {});
    dataPlane.update('t-000001', 'job-1', { status: 'IN_PROGRESS', statusDetails: { step: 'x' } });
    dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED' });
    dataPlane.update('t-000001', 'job-2', { status: 'SUCCEEDED' });
    await settle(scheduler, START + 1000);
    expect(messages).toEqual(['job-1', 'job-2', undefined]);
  });
});
