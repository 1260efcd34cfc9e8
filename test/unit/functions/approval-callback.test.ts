import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createApprovalLinks } from '#app/approval-links.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
import { makeHandler } from '#functions/approval-callback.ts';
import { httpApiEvent } from '../../support/http-api-event.ts';
import { context, fixedClock, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const sfn = mockClient(SFNClient);
const KEY = new TextEncoder().encode('k'.repeat(64));
const OPERATOR = 'arn:aws:iam::123456789012:user/ops';

function httpEvent(method: string, url: string, options: { body?: string; iam?: boolean; releaseId?: string } = {}) {
  return httpApiEvent(method, url, {
    ...(options.body !== undefined && { body: options.body }),
    ...(options.iam && { iamUserArn: OPERATOR }),
    ...(options.releaseId && { pathParameters: { releaseId: options.releaseId } }),
  });
}

async function build() {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, { status: 'AWAITING_APPROVAL' });
  await store.putPendingTask({ releaseId: 'gw-2-4-0', kind: 'approval', stageIndex: 1, jobId: 'gw-2-4-0-s1', token: 'tok-1', createdAt: clock.now().toISOString(), expiresAt: '2026-11-25T10:00:00.000Z' });
  const handler = makeHandler({ store, callbacks: awsCallbacks(), clock, linkKey: async () => KEY });
  const links = await createApprovalLinks({ baseUrl: 'https://api.example.com', key: async () => KEY, nonce: () => 'n-1' }, { releaseId: 'gw-2-4-0', stageIndex: 1, expiresAt: new Date('2026-11-25T10:00:00.000Z') });
  const call = async (event: unknown) => (await handler(event, context())) as { statusCode: number; body: string };
  return { call, store, clock, links };
}

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});

describe('approval-callback: the IAM-authenticated API', () => {
  it('approves for the calling principal and records who answered', async () => {
    const { call, store } = await build();

    const response = await call(httpEvent('POST', '/releases/gw-2-4-0/approval', { iam: true, releaseId: 'gw-2-4-0', body: '{"answer":"approve","stageIndex":1,"comment":"looks good"}' }));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual(expect.objectContaining({ outcome: 'answered' }));
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'tok-1', output: JSON.stringify({ answer: 'approve', by: OPERATOR, via: 'api', comment: 'looks good' }) });
    expect(await store.listDecisions('gw-2-4-0')).toEqual([expect.objectContaining({ kind: 'approval', answer: 'approve', by: OPERATOR, via: 'api' })]);
  });

  it('rejects with SendTaskFailure ApprovalRejected', async () => {
    const { call } = await build();

    await call(httpEvent('POST', '/releases/gw-2-4-0/approval', { iam: true, releaseId: 'gw-2-4-0', body: '{"answer":"reject","stageIndex":1}' }));

    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, { taskToken: 'tok-1', error: 'ApprovalRejected' });
  });

  it('answers a second answer with 409 and a plain message, and sends nothing', async () => {
    const { call } = await build();
    const event = httpEvent('POST', '/releases/gw-2-4-0/approval', { iam: true, releaseId: 'gw-2-4-0', body: '{"answer":"approve","stageIndex":1}' });
    await call(event);

    const second = await call(event);

    expect(second.statusCode).toBe(409);
    expect(JSON.parse(second.body)).toEqual({ error: 'gw-2-4-0 is not waiting for an approval (it is AWAITING_APPROVAL)', outcome: 'not-waiting' });
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('refuses an answer bound to another wave with 409, so a replayed call never answers the next wave', async () => {
    const { call } = await build();

    const response = await call(httpEvent('POST', '/releases/gw-2-4-0/approval', { iam: true, releaseId: 'gw-2-4-0', body: '{"answer":"approve","stageIndex":0}' }));

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({ outcome: 'stale', error: expect.stringMatching(/^this answer was for wave canary, but gw-2-4-0 now waits at wave /) });
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it('answers 410 when the workflow already timed the approval out', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(sdkError('TaskTimedOut'));
    const { call } = await build();

    const response = await call(httpEvent('POST', '/releases/gw-2-4-0/approval', { iam: true, releaseId: 'gw-2-4-0', body: '{"answer":"approve","stageIndex":1}' }));

    expect(response.statusCode).toBe(410);
    expect(JSON.parse(response.body).outcome).toBe('late');
  });

  it.each([
    ['a body that is not JSON', 'approve', 400],
    ['an answer that is neither approve nor reject', '{"answer":"maybe","stageIndex":1}', 400],
    ['an unknown field', '{"answer":"approve","stageIndex":1,"force":true}', 400],
    ['an answer that names no wave', '{"answer":"approve"}', 400],
  ])('refuses %s with 400', async (_what, body, status) => {
    const { call } = await build();

    expect((await call(httpEvent('POST', '/releases/gw-2-4-0/approval', { iam: true, releaseId: 'gw-2-4-0', body }))).statusCode).toBe(status);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it('answers 404 for a release it does not know', async () => {
    const { call } = await build();

    expect((await call(httpEvent('POST', '/releases/nope/approval', { iam: true, releaseId: 'nope', body: '{"answer":"approve","stageIndex":0}' }))).statusCode).toBe(404);
  });
});

describe('approval-callback: signed links', () => {
  it('shows a confirmation page on GET and answers nothing (mail scanners open links)', async () => {
    const { call, links } = await build();

    const page = await call(httpEvent('GET', links.approveUrl));

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    // Numbered for people from 1, as status and --wave number waves (the link's stage=1 is the second wave).
    expect(page.body).toContain('<p>Stage 2 of release <strong>gw-2-4-0</strong> waits for an answer.');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it('answers on POST, once: the approve and reject links share one nonce', async () => {
    const { call, links, store } = await build();

    const answered = await call(httpEvent('POST', links.approveUrl, { body: 'comment=ship+it' }));
    const replayed = await call(httpEvent('POST', links.rejectUrl));

    expect(answered.statusCode).toBe(200);
    expect(answered.body).toContain('Approved');
    expect(replayed.statusCode).toBe(409);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskFailureCommand, 0);
    expect(await store.listDecisions('gw-2-4-0')).toEqual([expect.objectContaining({ via: 'link', comment: 'ship it', by: 'approval link (192.0.2.10)' })]);
  });

  it('refuses a link whose answer was changed (403)', async () => {
    const { call, links } = await build();

    const response = await call(httpEvent('POST', links.approveUrl.replace('answer=approve', 'answer=reject')));

    expect(response.statusCode).toBe(403);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskFailureCommand, 0);
  });

  it('refuses an expired link (410)', async () => {
    const { call, links, clock } = await build();
    clock.advance(2 * 86400);

    expect((await call(httpEvent('POST', links.approveUrl))).statusCode).toBe(410);
  });

  it('refuses a link for an earlier stage (409), so an old mail cannot answer a new question', async () => {
    const { call } = await build();
    const old = await createApprovalLinks({ baseUrl: 'https://api.example.com', key: async () => KEY, nonce: () => 'n-0' }, { releaseId: 'gw-2-4-0', stageIndex: 0, expiresAt: new Date('2026-11-25T10:00:00.000Z') });

    const response = await call(httpEvent('POST', old.approveUrl));

    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('this link was for stage 1');
  });

  it('refuses a link that lost part of its query (400)', async () => {
    const { call } = await build();

    expect((await call(httpEvent('GET', '/approvals/link?release=gw-2-4-0'))).statusCode).toBe(400);
  });
});
