// Who may use the dashboard in a browser: the person who started it. The terminal that started the server shows a
// one-time login URL; opening it trades the code for a session cookie (HttpOnly, SameSite=Strict), and only a
// browser holding that cookie gets the page or may call the API as the dashboard. Nothing the server serves to an
// unauthenticated request carries a secret, so another account on the machine that can reach the port gets nothing.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'ota_release_session';
/** How long a login URL works if nobody opens it. */
export const LOGIN_CODE_TTL_MS = 15 * 60 * 1000;

export class DashboardSessions {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh one-time login code (each call another; each works once, for LOGIN_CODE_TTL_MS). */
  issueCode(): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, this.now() + LOGIN_CODE_TTL_MS);
    return code;
  }

  /** Spends a login code: a new session id, or undefined when the code is unknown, used or expired. */
  redeem(code: string | null): string | undefined {
    if (code === null) return undefined;
    const expiresAt = this.codes.get(code);
    this.codes.delete(code);
    if (expiresAt === undefined || expiresAt < this.now()) return undefined;
    const session = randomBytes(32).toString('base64url');
    this.sessions.add(session);
    return session;
  }

  /** True when the request's Cookie header carries a live session. */
  holds(cookieHeader: string | undefined): boolean {
    const shown = cookieOf(cookieHeader, SESSION_COOKIE);
    if (shown === undefined) return false;
    for (const session of this.sessions) if (sameText(shown, session)) return true;
    return false;
  }

  setCookie(session: string): string {
    return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function sameText(shown: string, expected: string): boolean {
  const a = Buffer.from(shown);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
