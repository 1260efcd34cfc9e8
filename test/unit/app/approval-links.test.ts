import { checkApprovalLink, createApprovalLinks, LinkCheck, parseApprovalLink, redeemApprovalLink } from '#app/approval-links.ts';
import { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { fixedClock } from '../functions/helpers.ts';

const KEY = new TextEncoder().encode('k'.repeat(64));
const EXPIRES = new Date('2026-11-24T12:00:00.000Z');

async function link(key = KEY) {
  const { approveUrl, rejectUrl } = await createApprovalLinks({ baseUrl: 'https://api.example.com/', key: async () => key, nonce: () => 'n-1' }, { releaseId: 'r1', stageIndex: 2, expiresAt: EXPIRES });
  const parse = (url: string) => parseApprovalLink(Object.fromEntries(new URL(url).searchParams))!;
  return { approve: parse(approveUrl), reject: parse(rejectUrl), approveUrl };
}

describe('approval links', () => {
  it('builds both links on the link route with one shared nonce', async () => {
    const { approve, reject, approveUrl } = await link();

    expect(approveUrl.startsWith('https://api.example.com/approvals/link?release=r1&stage=2&answer=approve')).toBe(true);
    expect(approve).toEqual(expect.objectContaining({ releaseId: 'r1', stageIndex: 2, answer: 'approve', expires: EXPIRES.getTime() / 1000, nonce: 'n-1' }));
    expect(reject.nonce).toBe(approve.nonce);
    expect(reject.signature).not.toBe(approve.signature);
  });

  it.each([
    ['the answer', { answer: 'reject' as const }],
    ['the release', { releaseId: 'r2' }],
    ['the stage', { stageIndex: 3 }],
    ['the expiry', { expires: EXPIRES.getTime() / 1000 + 3600 }],
    ['the nonce', { nonce: 'n-2' }],
  ])('refuses a link whose %s was changed', async (_field, change) => {
    const { approve } = await link();

    expect(await checkApprovalLink(KEY, { ...approve, ...change }, new Date('2026-11-24T10:00:00.000Z'))).toBe(LinkCheck.BAD_SIGNATURE);
  });

  it('refuses a link signed with another key', async () => {
    const { approve } = await link(new TextEncoder().encode('other'));

    expect(await checkApprovalLink(KEY, approve, new Date('2026-11-24T10:00:00.000Z'))).toBe(LinkCheck.BAD_SIGNATURE);
  });

  it.each([
    ['a second before it expires', '2026-11-24T11:59:59.000Z', LinkCheck.VALID],
    ['at the second it expires', '2026-11-24T12:00:00.000Z', LinkCheck.VALID],
    ['a second after it expired', '2026-11-24T12:00:01.000Z', LinkCheck.EXPIRED],
  ])('checks the expiry %s', async (_when, now, expected) => {
    const { approve } = await link();

    expect(await checkApprovalLink(KEY, approve, new Date(now))).toBe(expected);
  });

  it('redeems a nonce once: the second use of either link is refused', async () => {
    const clock = fixedClock('2026-11-24T10:00:00.000Z');
    const ports = { store: new MemoryReleaseStore(clock), clock };
    const { approve, reject } = await link();

    expect(await redeemApprovalLink(ports, KEY, approve)).toBe(LinkCheck.VALID);
    expect(await redeemApprovalLink(ports, KEY, reject)).toBe(LinkCheck.USED);
  });

  it.each([
    ['no signature', { release: 'r1', stage: '0', answer: 'approve', expires: '1', nonce: 'n' }],
    ['an answer that is not one', { release: 'r1', stage: '0', answer: 'maybe', expires: '1', nonce: 'n', sig: 's' }],
    ['a stage that is not a number', { release: 'r1', stage: 'x', answer: 'approve', expires: '1', nonce: 'n', sig: 's' }],
  ])('does not parse a query with %s', (_what, query) => {
    expect(parseApprovalLink(query)).toBeUndefined();
  });
});
