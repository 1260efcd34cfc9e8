// The one HTTP edge of the functions behind the HTTP API (functions/lib/http.ts): every JSON refusal and every failure
// of approval-callback and release-dashboard has the same body, `{ error, outcome?, problems? }`, and the same headers.
import { createViewToken } from '#app/view-links.ts';
import { makeHandler as makeApprovalCallback } from '#functions/approval-callback.ts';
import { makeHandler as makeReleaseDashboard } from '#functions/release-dashboard.ts';
import type { ReleaseStore } from '#ports/release-store.ts';
import { httpApiEvent } from '../../support/http-api-event.ts';
import { context, fixedClock, storeWithRelease } from './helpers.ts';

const KEY = new TextEncoder().encode('k'.repeat(64));
const OPERATOR = 'arn:aws:iam::123456789012:user/ops';
const TOKEN = createViewToken(KEY, 'gw-2-4-0', new Date('2026-11-25T10:00:00.000Z'));

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A store that fails every read the way a throttled or unreachable table would. */
function brokenStore(store: ReleaseStore, error: Error): ReleaseStore {
  return new Proxy(store, { get: (target, name) => (name === 'getRelease' ? async () => { throw error; } : Reflect.get(target, name)) });
}

async function handlers(options: { failWith?: Error } = {}) {
  const clock = fixedClock();
  const healthy = await storeWithRelease(clock, { status: 'PROMOTED' });
  const store = options.failWith ? brokenStore(healthy, options.failWith) : healthy;
  const approval = makeApprovalCallback({ store, callbacks: { succeed: async () => {}, fail: async () => {} } as never, clock, linkKey: async () => KEY });
  const dashboard = makeReleaseDashboard({ store, clock, viewKey: async () => KEY, where: 'test' });
  return {
    approve: async (body: string) => (await approval(httpApiEvent('POST', '/releases/gw-2-4-0/approval', { body, iamUserArn: OPERATOR, pathParameters: { releaseId: 'gw-2-4-0' } }), context())) as Response,
    view: async (path: string, token = TOKEN) => {
      const releaseId = /\/releases\/([^/]+)$/.exec(path)?.[1];
      return (await dashboard(httpApiEvent('GET', path, { headers: { 'x-ota-release-token': token }, ...(releaseId && { pathParameters: { releaseId } }) }), context())) as Response;
    },
  };
}

function expectEdgeError(response: Response, status: number): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers).toEqual(expect.objectContaining({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }));
  expect(Object.keys(response.headers)).not.toContain('Content-Type');
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(typeof body.error).toBe('string');
  expect(Object.keys(body).every((key) => ['error', 'outcome', 'problems'].includes(key))).toBe(true);
  return body;
}

describe('the HTTP edge of the Lambda HTTP functions', () => {
  it.each([
    ['approval-callback: a body that is not JSON', (h: Awaited<ReturnType<typeof handlers>>) => h.approve('approve'), 400],
    ['approval-callback: an answer naming no wave', (h: Awaited<ReturnType<typeof handlers>>) => h.approve('{"answer":"approve"}'), 400],
    ['approval-callback: a release that waits for nothing', (h: Awaited<ReturnType<typeof handlers>>) => h.approve('{"answer":"approve","stageIndex":0}'), 409],
    ['release-dashboard: a forged token', (h: Awaited<ReturnType<typeof handlers>>) => h.view('/dashboard/api/releases', 'v1.gw-2-4-0.1.forged'), 403],
    ['release-dashboard: another release', (h: Awaited<ReturnType<typeof handlers>>) => h.view('/dashboard/api/releases/gw-9-9-9'), 403],
    ['release-dashboard: no such route', (h: Awaited<ReturnType<typeof handlers>>) => h.view('/dashboard/nothing'), 404],
  ])('refuses %s with the one error body', async (_what, call, status) => {
    expectEdgeError(await call(await handlers()), status);
  });

  it('says which outcome a refused answer had, for programs', async () => {
    const body = expectEdgeError(await (await handlers()).approve('{"answer":"approve","stageIndex":0}'), 409);

    expect(body).toEqual({ error: 'gw-2-4-0 is not waiting for an approval (it is PROMOTED)', outcome: 'not-waiting' });
  });

  it('lists every problem of a body it refuses', async () => {
    const body = expectEdgeError(await (await handlers()).approve('{"answer":"maybe","stageIndex":-1}'), 400);

    expect(body.problems).toEqual([expect.stringMatching(/^answer: /), expect.stringMatching(/^stageIndex: /)]);
  });

  it.each([
    ['approval-callback', (h: Awaited<ReturnType<typeof handlers>>) => h.approve('{"answer":"approve","stageIndex":0}'), 'the approval could not be recorded; try again or use `ota-release approve`'],
    ['release-dashboard', (h: Awaited<ReturnType<typeof handlers>>) => h.view('/dashboard/api/releases/gw-2-4-0'), 'the release could not be read; try again in a moment'],
  ])('%s answers an unexpected failure with 500 and its fallback line, never the error itself', async (_name, call, fallback) => {
    const response = await call(await handlers({ failWith: new Error('secret table arn:aws:dynamodb:eu-west-1:1:table/x throttled') }));

    expect(expectEdgeError(response, 500)).toEqual({ error: fallback });
    expect(response.body).not.toContain('arn:aws');
  });

  it('keeps the status of an HTTP error a library throws, with its line in the same body', async () => {
    const response = await (await handlers({ failWith: Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }) })).view('/dashboard/api/releases/gw-2-4-0');

    expect(expectEdgeError(response, 415)).toEqual({ error: 'Unsupported Media Type' });
  });
});
