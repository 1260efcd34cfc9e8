// The one HTTP edge of the functions behind the HTTP API (approval-callback, release-dashboard):
// - every status code a use-case outcome maps to, in one table per outcome type;
// - one JSON error body, `{ error, outcome?, problems? }` (the same `{ error }` the loopback control API sends, so the
//   dashboard page reads both alike), sent by `refuse` for outcomes and by `httpEdge` for anything thrown;
// - small HTML pages for people holding a link.
// Routes return their refusals (a refusal is an answer, not a failure); what they throw reaches middy's
// http-error-handler through `httpEdge`: an HTTP error (middy's createError) keeps its status, anything else is a 500
// with the function's fallback line, and its details go to the log, never to the caller.
import httpErrorHandler from '@middy/http-error-handler';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
// Types only: the tables below are checked against each outcome union, and no use case comes into a bundle through here.
import type { AnswerOutcome } from '#app/answer-approval.ts';
import type { LinkCheck } from '#app/approval-links.ts';
import type { ViewOutcome } from '#app/view-release.ts';
import { logger } from './observability.ts';

export const ANSWER_STATUS: Record<AnswerOutcome, number> = {
  answered: 200,
  'unknown-release': 404,
  'not-waiting': 409,
  stale: 409,
  'already-answered': 409,
  late: 410,
};

export const LINK_STATUS: Record<Exclude<LinkCheck, 'valid'>, number> = {
  'bad-signature': 403,
  expired: 410,
  used: 409,
};

export const VIEW_STATUS: Record<ViewOutcome, number> = {
  shown: 200,
  refused: 403,
  'unknown-release': 404,
};

/** The one shape of every JSON error body. */
export interface ErrorBody {
  /** One plain line for a person. */
  error: string;
  /** The use case's outcome, when a refusal has one (`not-waiting`, `stale`, …): for programs. */
  outcome?: string;
  /** Each problem with a request body, with its path. */
  problems?: string[];
}

// No caching anywhere (answers change by the second), no sniffing, and no referrer: view tokens ride in addresses.
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
const JSON_TYPE = 'application/json; charset=utf-8';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': JSON_TYPE, ...COMMON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A refusal, as a response: `{ error, …detail }` with its status. */
export function refuse(statusCode: number, error: string, detail: Omit<ErrorBody, 'error'> = {}): APIGatewayProxyResultV2 {
  return json(statusCode, { error, ...detail } satisfies ErrorBody);
}

/**
 * middy's http-error-handler with this edge's body and headers: an unexpected error is a 500 `{ error: fallback }`,
 * logged (with its stack) but never shown.
 */
export function httpEdge(fallback: string): MiddlewareObj {
  const handler = httpErrorHandler({
    fallbackMessage: JSON.stringify({ error: fallback } satisfies ErrorBody),
    logger: (error: unknown) => {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === undefined || status >= 500) logger.error('request failed', error as Error);
    },
  });
  return {
    onError: async (request) => {
      await handler.onError!(request);
      const response = request.response as { headers?: Record<string, string>; body?: unknown } | undefined;
      if (!response) return;
      // An HTTP error from a library (middy's createError, say) carries a plain line: it gets the same body.
      if (typeof response.body !== 'string' || !response.body.startsWith('{')) response.body = JSON.stringify({ error: String(response.body ?? fallback) } satisfies ErrorBody);
      // http-error-handler writes `Content-Type`; this edge writes lower-case headers, and one of each is enough.
      const { 'Content-Type': _type, ...headers } = response.headers ?? {};
      response.headers = { ...headers, 'content-type': JSON_TYPE, ...COMMON_HEADERS };
    },
  };
}

export function html(statusCode: number, title: string, bodyHtml: string): APIGatewayProxyResultV2 {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.5rem}textarea{width:100%}</style>
</head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8', ...COMMON_HEADERS, 'x-frame-options': 'DENY' }, body: page };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The request body as text: HTTP APIs base64-encode bodies they consider binary. */
export function bodyText(event: { body?: string | undefined; isBase64Encoded: boolean }): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
