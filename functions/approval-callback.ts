// approval-callback (HTTP API): an operator's answer to a waiting approval.
//   GET  /approvals/link?…   a signed link from the notification: shows what will be answered and a confirm button
//                            (no IAM; mail scanners open links, so a GET never answers)
//   POST /approvals/link?…   the confirm button: checks signature, expiry and single use, then answers
//   POST /releases/{releaseId}/approval   IAM-authenticated, JSON {answer: approve|reject, stageIndex, comment?}; `by`
//                            is the caller. stageIndex (0 = canary) binds the answer to the wave the caller judged, so
//                            a replayed call never answers the next wave.
import middy from '@middy/core';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { type AnswerApprovalPorts, AnswerOutcome, answerApproval } from '#app/answer-approval.ts';
import { type ApprovalLink, checkApprovalLink, LinkCheck, parseApprovalLink, redeemApprovalLink } from '#app/approval-links.ts';
import { awsApprovalKey } from '#aws/approval-key.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
import { systemClock } from '#ports/clock.ts';
import { ANSWER_STATUS, bodyText, escapeHtml, html, httpEdge, json, LINK_STATUS, refuse } from './lib/http.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';

export type ApprovalCallbackPorts = AnswerApprovalPorts & {
  /** The approval-link HMAC key; without it the link routes answer 503. */
  linkKey?: () => Promise<Uint8Array>;
};

const ApiAnswer = z.strictObject({
  answer: z.enum(['approve', 'reject']),
  stageIndex: z.number().int().min(0).max(99),
  comment: z.string().max(1000).optional(),
});
const API_USAGE = 'send {"answer": "approve" | "reject", "stageIndex": <the waiting wave, 0 = canary>, "comment": "…"}';

const LINK_PROBLEM: Record<Exclude<LinkCheck, 'valid'>, string> = {
  [LinkCheck.BAD_SIGNATURE]: 'This link is not valid: it was changed or was not made by this stack.',
  [LinkCheck.EXPIRED]: 'This link has expired; the approval timed out and the release policy decided.',
  [LinkCheck.USED]: 'This link was already used: each approval request can be answered once.',
};

export function makeHandler(ports: ApprovalCallbackPorts) {
  return middy(async (event: unknown): Promise<APIGatewayProxyResultV2> => {
    const parsed = APIGatewayProxyEventV2Schema.safeParse(event);
    if (!parsed.success) return refuse(400, 'not an HTTP API request');
    const request = parsed.data;
    const method = request.requestContext.http.method;
    if (request.rawPath.endsWith('/approval') && method === 'POST') return answerFromApi(ports, request);
    if (request.rawPath.endsWith('/approvals/link') && (method === 'GET' || method === 'POST')) return answerFromLink(ports, request, method === 'POST');
    return refuse(404, 'no such route');
  })
    .use(observability())
    .use(httpEdge('the approval could not be recorded; try again or use `ota-release approve`'));
}

type HttpRequest = z.infer<typeof APIGatewayProxyEventV2Schema>;

async function answerFromApi(ports: ApprovalCallbackPorts, request: HttpRequest): Promise<APIGatewayProxyResultV2> {
  const releaseId = request.pathParameters?.releaseId;
  const by = request.requestContext.authorizer?.iam?.userArn;
  if (!releaseId) return refuse(400, 'the path names no release');
  if (!by) return refuse(403, 'this route needs IAM (SigV4) authentication');
  let body: unknown;
  try {
    body = JSON.parse(bodyText(request) || '{}');
  } catch {
    return refuse(400, `the body is not JSON; ${API_USAGE}`);
  }
  const answer = ApiAnswer.safeParse(body);
  if (!answer.success) {
    return refuse(400, API_USAGE, { problems: answer.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
  }
  logger.appendKeys({ releaseId });
  const result = await answerApproval(ports, { releaseId, ...answer.data, by, via: 'api' });
  count(`Approval_${result.outcome}`);
  logger.info('approval answered', { outcome: result.outcome, via: 'api' });
  if (result.outcome !== AnswerOutcome.ANSWERED) return refuse(ANSWER_STATUS[result.outcome], result.message, { outcome: result.outcome });
  return json(200, result);
}

async function answerFromLink(ports: ApprovalCallbackPorts, request: HttpRequest, confirm: boolean): Promise<APIGatewayProxyResultV2> {
  const link = parseApprovalLink(request.queryStringParameters ?? {});
  if (!link) return html(400, 'Not an approval link', '<p>This address is missing part of the link. Open the link from the notification again.</p>');
  if (!ports.linkKey) return html(503, 'Links are not set up', '<p>This stack has no approval-link key. Answer with <code>ota-release approve</code>.</p>');
  const key = await ports.linkKey();
  logger.appendKeys({ releaseId: link.releaseId, stage: link.stageIndex });
  const check = confirm ? await redeemApprovalLink(ports, key, link) : await checkApprovalLink(key, link, ports.clock.now());
  if (check !== LinkCheck.VALID) {
    count(`ApprovalLink_${check}`);
    return html(LINK_STATUS[check], 'Link not usable', `<p>${escapeHtml(LINK_PROBLEM[check])}</p>`);
  }
  if (!confirm) return confirmationPage(link);

  const comment = new URLSearchParams(bodyText(request)).get('comment')?.slice(0, 1000) || undefined;
  const by = `approval link (${request.requestContext.http.sourceIp})`;
  const result = await answerApproval(ports, { releaseId: link.releaseId, answer: link.answer, by, via: 'link', stageIndex: link.stageIndex, ...(comment && { comment }) });
  count(`Approval_${result.outcome}`);
  logger.info('approval answered', { outcome: result.outcome, via: 'link' });
  const title = result.outcome === AnswerOutcome.ANSWERED ? (link.answer === 'approve' ? 'Approved' : 'Rejected') : 'Nothing was changed';
  return html(ANSWER_STATUS[result.outcome], title, `<p>${escapeHtml(result.message)}</p>`);
}

function confirmationPage(link: ApprovalLink): APIGatewayProxyResultV2 {
  const verb = link.answer === 'approve' ? 'Approve' : 'Reject';
  const effect = link.answer === 'approve' ? 'The release goes on to its next stage.' : 'The release is rolled back: open jobs are cancelled and devices go back to the previous version.';
  return html(
    200,
    `${verb} ${link.releaseId}?`,
    `<p>Stage ${link.stageIndex + 1} of release <strong>${escapeHtml(link.releaseId)}</strong> waits for an answer. ${escapeHtml(effect)}</p>
<form method="post"><p><label>Comment (optional)<br><textarea name="comment" rows="3" maxlength="1000"></textarea></label></p>
<p><button type="submit">${verb}</button></p></form><p>This link works once and expires at ${new Date(link.expires * 1000).toISOString()}.</p>`,
  );
}

export const handler = makeHandler({
  store: awsReleaseStore(instrument),
  callbacks: awsCallbacks(instrument),
  clock: systemClock,
  linkKey: awsApprovalKey(instrument),
});
