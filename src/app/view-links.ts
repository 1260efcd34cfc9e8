// View links: a read-only look at one release on the dashboard the stack serves (functions/release-dashboard.ts), for
// people without AWS credentials at hand — a browser cannot SigV4-sign. A view token names one release and an expiry
// and is signed with the stack's approval-link key, but under its own purpose string: an approval link's signature is
// never a valid view token, and a view token's signature never answers an approval (approval-links.ts signs
// `ota-release-approval-v1`). It grants reading that one release, nothing else, until it expires.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The page's path on the stack's HTTP API; its JSON routes are below it (`/dashboard/api/releases…`). */
export const VIEW_PATH = '/dashboard';
/** The query parameter of a view link that carries the token. */
export const VIEW_PARAM = 'view';
/** A view link in an approval notice outlives the approval wait by this much, so the rest of the release can be followed. */
export const VIEW_AFTER_APPROVAL_SECONDS = 7 * 86_400;
/** The longest a view link may live (the CLI refuses more): a link cannot be revoked except by rotating the key. */
export const VIEW_MAX_SECONDS = 30 * 86_400;

const PURPOSE = 'ota-release-view-v1';
const FORMAT = 'v1';
const TOKEN = /^v1\.([a-zA-Z0-9_-]{1,48})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export interface ViewToken {
  releaseId: string;
  /** Seconds since the epoch after which the token no longer works. */
  expires: number;
  signature: string;
}

export interface ViewLinkSigner {
  /** The stack's HTTP API base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com. */
  baseUrl: string;
  /** The approval-link HMAC key. */
  key: () => Promise<Uint8Array>;
}

export function createViewToken(key: Uint8Array, releaseId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return [FORMAT, releaseId, expires, sign(key, releaseId, expires)].join('.');
}

export async function createViewLink(signer: ViewLinkSigner, request: { releaseId: string; expiresAt: Date }): Promise<string> {
  const token = createViewToken(await signer.key(), request.releaseId, request.expiresAt);
  return `${signer.baseUrl.replace(/\/+$/, '')}${VIEW_PATH}?${new URLSearchParams({ [VIEW_PARAM]: token }).toString()}`;
}

/** Undefined for anything that is not shaped like a view token (the caller refuses it like a forged one). */
export function parseViewToken(text: string | undefined): ViewToken | undefined {
  const match = text === undefined ? null : TOKEN.exec(text);
  if (!match) return undefined;
  return { releaseId: match[1]!, expires: Number(match[2]), signature: match[3]! };
}

export const ViewCheck = {
  VALID: 'valid',
  /** No token, or not shaped like one. */
  MISSING: 'missing',
  /** Changed, made with another key, or made for another purpose (an approval link). */
  BAD_SIGNATURE: 'bad-signature',
  EXPIRED: 'expired',
  /** A good token, for another release than the one asked for. */
  OTHER_RELEASE: 'other-release',
} as const;
export type ViewCheck = (typeof ViewCheck)[keyof typeof ViewCheck];

export type ViewAccess = { check: typeof ViewCheck.VALID; releaseId: string } | { check: Exclude<ViewCheck, 'valid'>; message: string };

/**
 * Whether `text` lets its holder read `releaseId` (or, without one, the release it names) at `now`. Refusals carry one
 * plain line for the person holding the link.
 */
export function checkViewToken(key: Uint8Array, text: string | undefined, now: Date, releaseId?: string): ViewAccess {
  const token = parseViewToken(text);
  if (!token) return { check: ViewCheck.MISSING, message: 'This page needs a view link: ask for one with `ota-release dashboard --aws --link RELEASE`.' };
  const expected = Buffer.from(sign(key, token.releaseId, token.expires));
  const given = Buffer.from(token.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { check: ViewCheck.BAD_SIGNATURE, message: 'This view link is not valid: it was changed or was not made by this stack.' };
  }
  if (now.getTime() / 1000 > token.expires) {
    return { check: ViewCheck.EXPIRED, message: `This view link expired at ${new Date(token.expires * 1000).toISOString()}; ask for a new one.` };
  }
  if (releaseId !== undefined && releaseId !== token.releaseId) {
    return { check: ViewCheck.OTHER_RELEASE, message: `This view link is for release ${token.releaseId}, not ${releaseId}.` };
  }
  return { check: ViewCheck.VALID, releaseId: token.releaseId };
}

function sign(key: Uint8Array, releaseId: string, expires: number): string {
  return createHmac('sha256', key).update([PURPOSE, releaseId, expires].join('\n')).digest('base64url');
}
