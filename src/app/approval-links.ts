// Approval links: an operator can answer from an email or a phone. Each link is signed (HMAC-SHA256 with the stack's
// key), expires with the approval wait, and works once: the approve and reject links of one request share a nonce,
// and redeeming either uses it up (ReleaseStore.useNonce). A GET only shows a confirmation page (mail scanners
// open links); the answer is a POST, which is when the nonce is used.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ports } from '#ports/index.ts';

export interface ApprovalLinkSigner {
  /** The approval API's base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com. */
  baseUrl: string;
  /** The HMAC key, read once per cold start. */
  key: () => Promise<Uint8Array>;
  /** Random by default; tests pass a fixed one. */
  nonce?: () => string;
}

export type LinkAnswer = 'approve' | 'reject';

export interface ApprovalLink {
  releaseId: string;
  stageIndex: number;
  answer: LinkAnswer;
  /** Seconds since the epoch after which the link no longer works. */
  expires: number;
  nonce: string;
  signature: string;
}

/** The path of the link route on the approval API. */
export const LINK_PATH = '/approvals/link';
/** Nonces are remembered a day past the link's expiry, then forgotten (the link is dead by then anyway). */
const NONCE_GRACE_SECONDS = 86_400;

export async function createApprovalLinks(
  signer: ApprovalLinkSigner,
  request: { releaseId: string; stageIndex: number; expiresAt: Date },
): Promise<{ approveUrl: string; rejectUrl: string }> {
  const key = await signer.key();
  const nonce = signer.nonce?.() ?? randomBytes(18).toString('base64url');
  const expires = Math.floor(request.expiresAt.getTime() / 1000);
  const url = (answer: LinkAnswer) => {
    const link = { releaseId: request.releaseId, stageIndex: request.stageIndex, answer, expires, nonce };
    const query = new URLSearchParams({ release: link.releaseId, stage: String(link.stageIndex), answer, expires: String(expires), nonce, sig: sign(key, link) });
    return `${signer.baseUrl.replace(/\/+$/, '')}${LINK_PATH}?${query.toString()}`;
  };
  return { approveUrl: url('approve'), rejectUrl: url('reject') };
}

/** Reads a link's query string; undefined when a field is missing or malformed (the caller answers "not a valid link"). */
export function parseApprovalLink(query: Record<string, string | undefined>): ApprovalLink | undefined {
  const { release, stage, answer, expires, nonce, sig } = query;
  if (!release || !stage || !answer || !expires || !nonce || !sig) return undefined;
  if (answer !== 'approve' && answer !== 'reject') return undefined;
  if (!/^\d{1,3}$/.test(stage) || !/^\d{1,12}$/.test(expires)) return undefined;
  return { releaseId: release, stageIndex: Number(stage), answer, expires: Number(expires), nonce, signature: sig };
}

export const LinkCheck = {
  VALID: 'valid',
  BAD_SIGNATURE: 'bad-signature',
  EXPIRED: 'expired',
  /** The link was already used (this answer or the other one of the pair). */
  USED: 'used',
} as const;
export type LinkCheck = (typeof LinkCheck)[keyof typeof LinkCheck];

/** Signature and expiry only: what the confirmation page needs, without using the link up. */
export async function checkApprovalLink(key: Uint8Array, link: ApprovalLink, now: Date): Promise<LinkCheck> {
  const expected = Buffer.from(sign(key, link));
  const given = Buffer.from(link.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return LinkCheck.BAD_SIGNATURE;
  if (now.getTime() / 1000 > link.expires) return LinkCheck.EXPIRED;
  return LinkCheck.VALID;
}

/** Checks the link and, when it is good, uses it up: only the first call for a nonce gets VALID. */
export async function redeemApprovalLink(ports: Pick<Ports, 'store' | 'clock'>, key: Uint8Array, link: ApprovalLink): Promise<LinkCheck> {
  const now = ports.clock.now();
  const check = await checkApprovalLink(key, link, now);
  if (check !== LinkCheck.VALID) return check;
  const ttl = Math.max(1, link.expires - Math.floor(now.getTime() / 1000)) + NONCE_GRACE_SECONDS;
  return (await ports.store.useNonce(link.nonce, ttl)) ? LinkCheck.VALID : LinkCheck.USED;
}

function sign(key: Uint8Array, link: Omit<ApprovalLink, 'signature'>): string {
  const message = ['ota-release-approval-v1', link.releaseId, link.stageIndex, link.answer, link.expires, link.nonce].join('\n');
  return createHmac('sha256', key).update(message).digest('base64url');
}
