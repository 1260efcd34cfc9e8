import { request as httpRequest } from 'node:http';
import { httpOperations } from '#operator/client.ts';
import { BadControlRequestError, ControlForbiddenError, ControlUnavailableError } from '#operator/errors.ts';
import { type ControlServer, TOKEN_HEADER, startControlServer } from '#operator/server.ts';
import { NotFoundError } from '#ports/errors.ts';
import { FakeOperations } from './fake-operations.ts';

const TOKEN = 'test-token-0123456789';

describe('control server', () => {
  let operations: FakeOperations;
  let server: ControlServer;

  beforeEach(async () => {
    operations = new FakeOperations();
    server = await startControlServer({ operations, token: TOKEN, operator: 'dashboard:tester' });
  });
  afterEach(() => server.close());

  const api = (path: string, init: RequestInit = {}) => fetch(new URL(`api${path}`, server.url), init);
  const post = (path: string, body: unknown, token = TOKEN) =>
    api(path, { method: 'POST', headers: { [TOKEN_HEADER]: token, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Opens a one-time login URL as a browser would: the session cookie it sets. */
  async function logIn(loginUrl = server.loginUrl()): Promise<string> {
    const response = await fetch(loginUrl, { redirect: 'manual' });
    expect(response.status).toBe(303);
    return response.headers.get('set-cookie')!.split(';')[0]!;
  }

  it('serves nothing secret without a session: GET / answers 403 and carries no token', async () => {
    const response = await fetch(server.url);
    const body = await response.text();

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(response.status).toBe(403);
    expect(body).not.toContain(TOKEN);
    expect(body).toContain('one-time login link');
  });

  it('serves the page to a browser that opened the one-time login URL, without the token in it', async () => {
    const cookie = await logIn();
    const response = await fetch(server.url, { headers: { cookie } });
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).not.toContain(TOKEN);
    expect(html).toContain('<meta name="ota-release-token" content="">');
    expect(html).toContain('test cloud &#60;fake&#62;');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await api('/releases', { headers: { cookie } })).status).toBe(200);
  });

  it('honours a login URL once: a second opening, a made-up code and a forged cookie get nothing', async () => {
    const loginUrl = server.loginUrl();
    await logIn(loginUrl);

    expect((await fetch(loginUrl, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(new URL('login?code=guess', server.url), { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(server.url, { headers: { cookie: 'ota_release_session=forged' } })).status).toBe(403);
    expect((await api('/releases', { headers: { cookie: 'ota_release_session=forged' } })).status).toBe(403);
  });

  it('records a browser answer as the operator who started the server, and refuses a name the browser sends', async () => {
    const cookie = await logIn();
    const headers = { cookie, 'content-type': 'application/json' };

    const named = await api('/releases/fw-2-4-0/approve', { method: 'POST', headers, body: JSON.stringify({ by: 'someone-else' }) });
    const approved = await api('/releases/fw-2-4-0/approve', { method: 'POST', headers, body: JSON.stringify({ comment: 'ok' }) });

    expect(named.status).toBe(400);
    expect(approved.status).toBe(200);
    expect(operations.answers).toEqual([{ releaseId: 'fw-2-4-0', answer: 'approve', by: 'dashboard:tester', via: 'dashboard', comment: 'ok' }]);
  });

  it.each(['/app.js', '/style.css'])('serves %s', async (path) => {
    const response = await fetch(new URL(path.slice(1), server.url));
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeGreaterThan(100);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { [TOKEN_HEADER]: 'test-token-9876543210' }],
    ['a token of another length', { [TOKEN_HEADER]: 'x' }],
  ])('refuses an API call with %s', async (_, headers: Record<string, string>) => {
    const response = await api('/releases', { headers });
    expect(response.status).toBe(403);
  });

  it('refuses a request whose Host is not loopback (DNS rebinding)', async () => {
    const { port } = new URL(server.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/releases', headers: { host: `evil.example:${port}`, [TOKEN_HEADER]: TOKEN } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses a POST that is not JSON (a cross-site form cannot send one without a preflight)', async () => {
    const response = await api('/releases/fw-2-4-0/approve', { method: 'POST', headers: { [TOKEN_HEADER]: TOKEN, 'content-type': 'text/plain' }, body: '{}' });
    expect(response.status).toBe(400);
    expect(operations.answers).toEqual([]);
  });

  it.each([
    ['reject without a reason', '/releases/fw-2-4-0/reject', {}, 'reason'],
    ['abort without a reason', '/releases/fw-2-4-0/abort', { reason: ' ' }, 'reason'],
    ['an unknown field', '/releases/fw-2-4-0/approve', { comment: 'ok', admin: true }, 'admin'],
    ['a release id with a slash', '/releases/a%2Fb/approve', {}, 'release id'],
  ])('answers 400 for %s, naming the problem', async (_, path, body, word) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(word);
  });

  it('records a dashboard answer under the default operator', async () => {
    const response = await post('/releases/fw-2-4-0/approve', { comment: 'looks fine' });

    expect(response.status).toBe(200);
    expect(operations.answers).toEqual([{ releaseId: 'fw-2-4-0', answer: 'approve', by: 'dashboard:tester', via: 'dashboard', comment: 'looks fine' }]);
  });

  it('answers 404 for an unknown route', async () => {
    const response = await api('/releases/fw-2-4-0/explode', { method: 'POST', headers: { [TOKEN_HEADER]: TOKEN, 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
  });

  describe('through the HTTP client', () => {
    const client = () => httpOperations({ url: server.url, token: TOKEN }, 'live');

    it('lists and describes releases', async () => {
      const [summary] = await client().listReleases();
      const view = await client().describeRelease('fw-2-4-0');

      expect(summary).toMatchObject({ releaseId: 'fw-2-4-0', awaitingApproval: true, stageName: 'canary', stageCount: 3 });
      expect(view.waitingFor?.evidence?.verdict).toBe('HOLD');
    });

    it('carries who answered, how, and the reason of a reject', async () => {
      const result = await client().answerApproval({ releaseId: 'fw-2-4-0', answer: 'reject', by: 'cli:bob', via: 'cli', comment: 'too many reboots' });

      expect(result).toMatchObject({ answered: true, outcome: 'rejected' });
      expect(operations.answers).toEqual([{ releaseId: 'fw-2-4-0', answer: 'reject', by: 'cli:bob', via: 'cli', comment: 'too many reboots' }]);
    });

    it('passes a refusal back as a plain result, not an error', async () => {
      await client().answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'a', via: 'cli' });
      const second = await client().answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'a', via: 'cli' });
      expect(second).toEqual({ outcome: 'replayed', answered: false, message: 'fw-2-4-0 was already answered' });
    });

    it('passes abort with force', async () => {
      await client().abortRelease({ releaseId: 'fw-2-4-0', by: 'cli:bob', reason: 'stop', force: true });
      expect(operations.aborts).toEqual([{ releaseId: 'fw-2-4-0', by: 'cli:bob', reason: 'stop', force: true }]);
    });

    it.each([
      ['NotFoundError for an unknown release', () => client().describeRelease('nope'), NotFoundError],
      ['BadControlRequestError for a bad request', () => client().answerApproval({ releaseId: 'fw-2-4-0', answer: 'reject', by: 'a', via: 'cli' }), BadControlRequestError],
      ['ControlForbiddenError for a wrong token', () => httpOperations({ url: server.url, token: 'wrong' }, 'x').listReleases(), ControlForbiddenError],
    ])('turns an HTTP error back into %s', async (_, call, type) => {
      await expect(call()).rejects.toBeInstanceOf(type);
    });

    it('answers a request in flight when it closes meanwhile (an abort ends the process that serves it)', async () => {
      let finish!: () => void;
      let entered!: () => void;
      const slow = new Promise<void>((resolve) => (finish = resolve));
      const reached = new Promise<void>((resolve) => (entered = resolve));
      const abort = operations.abortRelease.bind(operations);
      operations.abortRelease = async (input) => {
        entered();
        await slow;
        return abort(input);
      };
      const answer = client().abortRelease({ releaseId: 'fw-2-4-0', by: 'a', reason: 'stop' });
      await reached;

      const closed = server.close();
      finish();

      await expect(answer).resolves.toMatchObject({ outcome: expect.any(String) });
      await closed;
      await expect(client().listReleases()).rejects.toBeInstanceOf(ControlUnavailableError);
    });

    it('says the live process does not answer once it is gone', async () => {
      await server.close();
      await expect(client().listReleases()).rejects.toBeInstanceOf(ControlUnavailableError);
    });
  });
});
