// The loopback control server: the dashboard page and the JSON API over one ReleaseOperations.
// It binds to 127.0.0.1 only and the Host header must name loopback (against DNS rebinding). Two ways in:
// - a browser: the one-time login URL printed where the server was started gives a session cookie (sessions.ts);
//   the page and the API then answer that browser, and approvals it makes are recorded as the operator who
//   started the server, never as a name the browser sends;
// - a program (the CLI in another terminal): the control token, written owner-only into the state directory
//   (control-file.ts), in the x-ota-release-token header.
// No response to an unauthenticated request carries the token or any other secret.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { handleApi } from './api.ts';
import { BadControlRequestError, ControlForbiddenError } from './errors.ts';
import { statusOf } from './http-status.ts';
import type { ReleaseOperations } from './operations.ts';
import { PAGE_ASSETS, renderPage } from './page.ts';
import { DashboardSessions, sameText } from './sessions.ts';

export const TOKEN_HEADER = 'x-ota-release-token';
const MAX_BODY_BYTES = 16 * 1024;
/** How long close() lets requests already in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 5000;

export interface ControlServerOptions {
  operations: ReleaseOperations;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A fixed token (tests); a fresh random one by default. */
  token?: string;
  /** Recorded as `by` when an answer does not name its author; defaults to `<via>:<os user>`. */
  operator?: string;
  /** How often the page refreshes, in milliseconds. */
  refreshMs?: number;
}

export interface ControlServer {
  url: string;
  token: string;
  /** A one-time URL that logs a browser in (a new code each call): print it only where the operator is. */
  loginUrl(): string;
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const operator = options.operator ?? `dashboard:${safeUserName()}`;
  const sessions = new DashboardSessions();
  let port = 0;
  // Responses not yet sent: when the server closes, they still go out, with `Connection: close` so their keep-alive
  // connections end with them instead of holding close() up.
  const inFlight = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
    serve(request, response).catch((error: unknown) => sendJson(response, statusOf(error), { error: messageOf(error) }));
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!isLoopbackHost(request.headers.host, port)) throw new ControlForbiddenError('this server answers only on 127.0.0.1 or localhost');
    if (url.pathname.startsWith('/api/')) {
      const browser = sessions.holds(request.headers.cookie);
      if (!browser && !tokenMatches(request.headers[TOKEN_HEADER], token)) throw new ControlForbiddenError('missing or wrong control token (or dashboard session)');
      const body = request.method === 'POST' ? await readJson(request) : undefined;
      // A browser session acts as the operator who started the server: it may not name someone else.
      if (browser && typeof body === 'object' && body !== null && 'by' in body) throw new BadControlRequestError('by: the dashboard records the operator who logged in; it cannot be set');
      const result = await handleApi({ method: request.method ?? 'GET', path: url.pathname, body }, { operations: options.operations, defaultOperator: operator });
      if (result === undefined) return sendJson(response, 404, { error: `no route ${request.method} ${url.pathname}` });
      return sendJson(response, 200, result);
    }
    if (request.method !== 'GET') return sendJson(response, 405, { error: 'only GET outside /api' });
    if (url.pathname === '/login') {
      const session = sessions.redeem(url.searchParams.get('code'));
      if (!session) return sendText(response, 403, 'text/plain; charset=utf-8', 'This login link is wrong, expired or already used. Use the link printed in the terminal that started the dashboard (restart it for a new one).\n');
      response.setHeader('set-cookie', sessions.setCookie(session));
      response.setHeader('location', '/');
      return sendText(response, 303, 'text/plain; charset=utf-8', 'logged in\n');
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!sessions.holds(request.headers.cookie)) return sendText(response, 403, 'text/plain; charset=utf-8', 'Open the one-time login link printed in the terminal that started this dashboard.\n');
      return sendText(response, 200, 'text/html; charset=utf-8', await renderPage({ token: '', where: options.operations.where, refreshMs: options.refreshMs ?? 1000 }));
    }
    const asset = PAGE_ASSETS[url.pathname];
    if (asset) return sendText(response, 200, asset.type, await asset.read());
    return sendJson(response, 404, { error: `nothing at ${url.pathname}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    loginUrl: () => `http://127.0.0.1:${port}/login?code=${sessions.issueCode()}`,
    close: () => {
      // Requests in flight get their answer: an abort ends the release, so the process that serves it closes this
      // server while the abort's own request is still being answered (the CLI would otherwise report "does not
      // answer" for an abort that worked). Idle keep-alive connections go at once; anything left after the grace
      // period is cut, so closing never hangs.
      closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
        for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
      });
      return closing;
    },
  };
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

function tokenMatches(shown: string | string[] | undefined, token: string): boolean {
  return typeof shown === 'string' && sameText(shown, token);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  // A JSON content type forces a CORS preflight on cross-site requests, which this server never grants.
  if (!request.headers['content-type']?.startsWith('application/json')) throw new BadControlRequestError('send the body as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadControlRequestError(`the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadControlRequestError('the body is not valid JSON');
  }
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendText(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, type: string, body: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS });
  response.end(body);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}
