import { sequentialTest } from '#domain/sequential-test.ts';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { makeHandler } from '#functions/request-approval.ts';
import { context, fixedClock, rejection, request, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const sns = mockClient(SNSClient);
const STAGE = { index: 1, name: 'fleet', jobId: 'gw-2-4-0-s1', targeted: 900, bakeSeconds: 7200, approval: 'manual' as const };
const counts = { targeted: 900, succeeded: 880, failed: 2, rejected: 0, timedOut: 0, inProgress: 0, queued: 18, canceled: 0, removed: 0 };
const EVALUATION = {
  judgement: { verdict: 'PROMOTE', reasons: ['failure rate 0.2 % is within the 5 % limit'], evidence: { counts, executed: 882, failures: 2, failureRate: 0.002, confidence: 0.95, maxFailureRate: 0.05, unacceptableFailureRate: 0.1, sequential: sequentialTest(2, 882, { maxFailureRate: 0.05, unacceptableFailureRate: 0.1, confidence: 0.95 }), coverage: 0.98, timeoutRate: 0, bakedSeconds: 7200 } },
  route: 'approve',
  extendSeconds: 0,
};
const input = (overrides: Record<string, unknown> = {}) => ({ token: 'tok-1', timeoutSeconds: 86400, releaseId: 'gw-2-4-0', request: request(), stage: STAGE, evaluation: EVALUATION, ...overrides });

async function build(withLinks = true) {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, { status: 'IN_PROGRESS' });
  const links = { baseUrl: 'https://api.example.com/', key: async () => new TextEncoder().encode('k'.repeat(64)), nonce: () => 'nonce-1' };
  const handler = makeHandler({ store, notifier: awsNotifier(), clock, ...(withLinks && { links }) });
  return { handler, store };
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('request-approval', () => {
  it('stores the token, marks the release as waiting, and notifies with the evidence and signed single-use links', async () => {
    const { handler, store } = await build();

    expect(await handler(input(), context())).toEqual({ expiresAt: '2026-11-25T10:00:00.000Z' });

    expect(await store.getPendingTask('gw-2-4-0', 'approval')).toEqual(expect.objectContaining({ token: 'tok-1', stageIndex: 1, expiresAt: '2026-11-25T10:00:00.000Z' }));
    expect((await store.getRelease('gw-2-4-0'))?.status).toBe('AWAITING_APPROVAL');
    const published = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:approvals');
    expect(published.MessageAttributes?.kind?.StringValue).toBe('approval-requested');
    expect(published.Message).toContain('failure rate 0.2 % is within the 5 % limit');
    // Numbered for people as status and --wave number them: the second wave is stage 2 (its index in the link is 1).
    expect(published.Message).toContain('Release gw-2-4-0, stage 2 (fleet), waits for an answer.');
    expect(published.Message).toMatch(/Approve: https:\/\/api\.example\.com\/approvals\/link\?release=gw-2-4-0&stage=1&answer=approve&expires=\d+&nonce=nonce-1&sig=/);
    expect(published.Message).toMatch(/Reject: +https:\/\/api\.example\.com\/approvals\/link\?.*answer=reject/);
  });

  it('asks with the CLI commands only when the stack has no link key', async () => {
    const { handler } = await build(false);

    await handler(input(), context());

    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message).not.toContain('Approve:');
    expect(message).toContain('ota-release approve gw-2-4-0');
  });

  it('keeps the release waiting when the step is retried', async () => {
    const { handler, store } = await build();

    await handler(input(), context());
    await handler(input({ token: 'tok-2' }), context());

    expect((await store.getPendingTask('gw-2-4-0', 'approval'))?.token).toBe('tok-2');
    expect((await store.getRelease('gw-2-4-0'))?.status).toBe('AWAITING_APPROVAL');
  });

  it('throws TransientError when SNS throttles', async () => {
    sns.on(PublishCommand).rejects(sdkError('Throttling', 400));
    const { handler } = await build();

    expect((await rejection(handler(input(), context()))).name).toBe('TransientError');
  });

  it('rejects an evaluation without a route', async () => {
    const { handler } = await build();

    const error = await rejection(handler(input({ evaluation: { judgement: EVALUATION.judgement } }), context()));

    expect(error.name).toBe('InvalidTaskInputError');
    expect(error.message).toContain('evaluation.route');
  });
});
