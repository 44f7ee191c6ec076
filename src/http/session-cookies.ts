import type { Context } from 'koa';

/** The session itself: HttpOnly, so no script can read it. */
export const SESSION_COOKIE = 'rl_session';
/** The CSRF token, readable by the console's script, which echoes it in CSRF_HEADER (double submit). */
export const CSRF_COOKIE = 'rl_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function cookie(name: string, value: string, options: { httpOnly: boolean; secure: boolean; maxAge?: number }): string {
  return [
    `${name}=${value}`, 'Path=/', 'SameSite=Strict',
    ...(options.httpOnly ? ['HttpOnly'] : []), ...(options.secure ? ['Secure'] : []),
    ...(options.maxAge !== undefined ? [`Max-Age=${options.maxAge}`] : []),
  ].join('; ');
}

/** Browser-session cookies (they end with the browser; the server ends idle sessions itself). */
export function setSessionCookies(ctx: Context, session: string, csrfToken: string, secure: boolean): void {
  ctx.append('Set-Cookie', cookie(SESSION_COOKIE, session, { httpOnly: true, secure }));
  ctx.append('Set-Cookie', cookie(CSRF_COOKIE, csrfToken, { httpOnly: false, secure }));
}

export function clearSessionCookies(ctx: Context): void {
  ctx.append('Set-Cookie', cookie(SESSION_COOKIE, '', { httpOnly: true, secure: false, maxAge: 0 }));
  ctx.append('Set-Cookie', cookie(CSRF_COOKIE, '', { httpOnly: false, secure: false, maxAge: 0 }));
}
