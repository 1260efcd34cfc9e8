// The approval API's one HTTP edge: answers as JSON for programs, small HTML pages for people holding a link, and
// the mapping from use-case outcomes to status codes in one table.
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { AnswerOutcome } from '#app/answer-approval.ts';

export const STATUS_OF: Record<AnswerOutcome, number> = {
  [AnswerOutcome.ANSWERED]: 200,
  [AnswerOutcome.UNKNOWN_RELEASE]: 404,
  [AnswerOutcome.NOT_WAITING]: 409,
  [AnswerOutcome.STALE]: 409,
  [AnswerOutcome.ALREADY_ANSWERED]: 409,
  [AnswerOutcome.LATE]: 410,
};

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

export function html(statusCode: number, title: string, bodyHtml: string): APIGatewayProxyResultV2 {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.5rem}textarea{width:100%}</style>
</head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' },
    body: page,
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The request body as text: HTTP APIs base64-encode bodies they consider binary. */
export function bodyText(event: { body?: string | undefined; isBase64Encoded: boolean }): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
