// release-dashboard (HTTP API): the release dashboard, read-only, for the holder of a view link. No IAM on these routes
// (a browser cannot SigV4-sign); instead every call shows a signed, expiring view token for one release, checked here.
//   GET /dashboard?view=TOKEN                  the page (src/operator/page, built into this bundle), token embedded
//   GET /dashboard/api/releases                { where, releases: [the token's release] }    token in x-ota-release-token
//   GET /dashboard/api/releases/{releaseId}    ReleaseView (as `status --json`), when the token is for that release
import middy from '@middy/core';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { VIEW_PARAM, VIEW_PATH } from '#app/view-links.ts';
import { type ViewReleasePorts, type ViewResult, ViewOutcome, viewRelease, viewReleaseRecord } from '#app/view-release.ts';
import { awsApprovalKey } from '#aws/approval-key.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { summarise } from '#operator/operations.ts';
import { buildSelfContainedPage } from '#operator/page.ts';
import { TOKEN_HEADER } from '#operator/server.ts';
import { systemClock } from '#ports/clock.ts';
import { escapeHtml, html, httpEdge, json, refuse, VIEW_STATUS } from './lib/http.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';

export type ReleaseDashboardPorts = ViewReleasePorts & {
  /** Shown in the page's header, e.g. `ota-release-prod (eu-west-1), read-only`. */
  where: string;
  /** How often the page polls; every poll is two invocations and a DescribeJob per stage. */
  refreshMs?: number;
};

const API_PATH = `${VIEW_PATH}/api/releases`;
const ReleaseId = z.string().regex(/^[a-zA-Z0-9_-]{1,48}$/);

export function makeHandler(ports: ReleaseDashboardPorts) {
  return middy(async (event: unknown): Promise<APIGatewayProxyResultV2> => {
    const parsed = APIGatewayProxyEventV2Schema.safeParse(event);
    if (!parsed.success) return refuse(400, 'not an HTTP API request');
    const request = parsed.data;
    if (request.requestContext.http.method !== 'GET') return refuse(405, 'this view is read-only: GET only');
    const path = request.rawPath.replace(/\/+$/, '');
    if (path === VIEW_PATH) return page(ports, request.queryStringParameters?.[VIEW_PARAM]);
    const token = request.headers[TOKEN_HEADER];
    if (path === API_PATH) return answer(await viewReleaseRecord(ports, token), (record) => ({ where: ports.where, releases: [summarise(record)] }));
    if (path.startsWith(`${API_PATH}/`)) {
      const releaseId = ReleaseId.safeParse(request.pathParameters?.releaseId);
      if (!releaseId.success) return refuse(400, 'a release id is letters, digits, _ and - (at most 48)');
      return answer(await viewRelease(ports, token, releaseId.data), (view) => view);
    }
    return refuse(404, 'no such route');
  })
    .use(observability())
    .use(httpEdge('the release could not be read; try again in a moment'));
}

async function page(ports: ReleaseDashboardPorts, token: string | undefined): Promise<APIGatewayProxyResultV2> {
  const result = await viewReleaseRecord(ports, token);
  outcome(result);
  if (result.outcome !== ViewOutcome.SHOWN) {
    return html(VIEW_STATUS[result.outcome], 'Cannot show this release', `<p>${escapeHtml(result.message)}</p>`);
  }
  const built = await buildSelfContainedPage({ token: token!, where: ports.where, refreshMs: ports.refreshMs ?? 5000, apiBase: VIEW_PATH, readOnly: true });
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...PAGE_HEADERS,
      // Only the page's own inlined script and style (by hash), and API calls to this origin.
      'content-security-policy': `default-src 'none'; script-src ${built.scriptSource}; style-src ${built.styleSource}; img-src data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    },
    body: built.html,
  };
}

function answer<T>(result: ViewResult<T>, body: (value: T) => unknown): APIGatewayProxyResultV2 {
  outcome(result);
  if (result.outcome === ViewOutcome.SHOWN) return json(200, body(result.value), PAGE_HEADERS);
  return refuse(VIEW_STATUS[result.outcome], result.message);
}

function outcome(result: ViewResult<unknown>): void {
  if (result.outcome !== ViewOutcome.REFUSED) logger.appendKeys({ releaseId: result.releaseId });
  const name = result.outcome === ViewOutcome.REFUSED ? `View_${result.check}` : `View_${result.outcome}`;
  count(name);
  if (result.outcome !== ViewOutcome.SHOWN) logger.info('view not shown', { outcome: result.outcome, ...(result.outcome === ViewOutcome.REFUSED && { check: result.check }) });
}

// The view token rides in the page's address (no-referrer, no-store: lib/http.ts); nothing here is for search engines.
const PAGE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' };

const stack = process.env.OTA_RELEASE_STACK ?? 'ota-release';
export const handler = makeHandler({
  store: awsReleaseStore(instrument),
  jobs: awsFleetJobs(instrument),
  clock: systemClock,
  viewKey: awsApprovalKey(instrument),
  where: `${stack} (${process.env.AWS_REGION ?? 'AWS'}), read-only`,
});
