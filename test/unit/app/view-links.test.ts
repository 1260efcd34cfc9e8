import { checkApprovalLink, createApprovalLinks, LinkCheck, parseApprovalLink } from '#app/approval-links.ts';
import { checkViewToken, createViewLink, createViewToken, parseViewToken, ViewCheck } from '#app/view-links.ts';

const KEY = new TextEncoder().encode('k'.repeat(64));
const OTHER_KEY = new TextEncoder().encode('o'.repeat(64));
const NOW = new Date('2026-11-24T10:00:00.000Z');
const EXPIRES = new Date('2026-11-25T10:00:00.000Z');
const token = createViewToken(KEY, 'gw-2-4-0', EXPIRES);
const [format, release, expires, signature] = token.split('.') as [string, string, string, string];

describe('view tokens', () => {
  it('lets its holder read the release it names until it expires', () => {
    expect(checkViewToken(KEY, token, NOW)).toEqual({ check: ViewCheck.VALID, releaseId: 'gw-2-4-0' });
    expect(checkViewToken(KEY, token, NOW, 'gw-2-4-0')).toEqual({ check: ViewCheck.VALID, releaseId: 'gw-2-4-0' });
    expect(checkViewToken(KEY, token, EXPIRES).check).toBe(ViewCheck.VALID);
  });

  it.each([
    ['no token at all', undefined, ViewCheck.MISSING],
    ['an empty token', '', ViewCheck.MISSING],
    ['a token with a part missing', `${format}.${release}.${signature}`, ViewCheck.MISSING],
    ['a release id that is not one', `${format}.gw 2.${expires}.${signature}`, ViewCheck.MISSING],
    ['another release put in', `${format}.gw-9-9-9.${expires}.${signature}`, ViewCheck.BAD_SIGNATURE],
    ['a later expiry put in', `${format}.${release}.${Number(expires) + 86400}.${signature}`, ViewCheck.BAD_SIGNATURE],
    ['a signature made with another key', createViewToken(OTHER_KEY, 'gw-2-4-0', EXPIRES), ViewCheck.BAD_SIGNATURE],
  ])('refuses %s', (_what, text, check) => {
    const access = checkViewToken(KEY, text, NOW);

    expect(access.check).toBe(check);
    expect(access).toEqual(expect.objectContaining({ message: expect.stringMatching(/^[^\n]+$/) }));
  });

  it('refuses a token a second after its expiry, saying when it expired', () => {
    const access = checkViewToken(KEY, token, new Date(EXPIRES.getTime() + 1000));

    expect(access).toEqual({ check: ViewCheck.EXPIRED, message: 'This view link expired at 2026-11-25T10:00:00.000Z; ask for a new one.' });
  });

  it('refuses a good token for another release than the one asked for', () => {
    expect(checkViewToken(KEY, token, NOW, 'gw-9-9-9')).toEqual({ check: ViewCheck.OTHER_RELEASE, message: 'This view link is for release gw-2-4-0, not gw-9-9-9.' });
  });

  it('makes a link to the dashboard on the stack API that carries the token', async () => {
    const url = new URL(await createViewLink({ baseUrl: 'https://api.example.com/', key: async () => KEY }, { releaseId: 'gw-2-4-0', expiresAt: EXPIRES }));

    expect(`${url.origin}${url.pathname}`).toBe('https://api.example.com/dashboard');
    expect(parseViewToken(url.searchParams.get('view') ?? undefined)).toEqual({ releaseId: 'gw-2-4-0', expires: EXPIRES.getTime() / 1000, signature });
  });
});

describe('view tokens and approval links are signed for different purposes', () => {
  async function approvalLink() {
    const links = await createApprovalLinks({ baseUrl: 'https://api.example.com', key: async () => KEY, nonce: () => 'n-1' }, { releaseId: 'gw-2-4-0', stageIndex: 1, expiresAt: EXPIRES });
    return parseApprovalLink(Object.fromEntries(new URL(links.approveUrl).searchParams))!;
  }

  it('refuses an approval link signature as a view token', async () => {
    const link = await approvalLink();

    expect(checkViewToken(KEY, `v1.${link.releaseId}.${link.expires}.${link.signature}`, NOW).check).toBe(ViewCheck.BAD_SIGNATURE);
  });

  it.each(['approve', 'reject'] as const)('never lets a view token %s', async (answer) => {
    const link = await approvalLink();

    expect(await checkApprovalLink(KEY, { ...link, answer, signature }, NOW)).toBe(LinkCheck.BAD_SIGNATURE);
  });
});
