import { z } from 'zod';
import { newUserSchema, passwordSchema, signInSchema } from '../../users/index.js';
import { SESSION_COOKIE, clearSessionCookies, setSessionCookies } from '../session-cookies.js';
import type { Services } from '../../services.js';
import { created, ok, pageQuery, route } from '../route.js';
import { CreatedUser, Me, PasswordSet, SignedIn, SignedOut, Token, User, UserPage } from '../replies/system.replies.js';

export function userRoutes({ users, sessions }: Services, secureCookies: boolean) {
  return [
    route({
      method: 'post', path: '/session', tag: 'users', roles: 'public', signIn: true,
      summary: 'Sign in with name and password: sets the HttpOnly session cookie and the CSRF cookie (send it back in X-CSRF-Token)',
      body: signInSchema, reply: SignedIn, responses: { 200: '{user, csrfToken}', 401: 'wrong name or password' },
      async handle({ body, koa }) {
        const grant = await sessions.signIn(body.name, body.password);
        setSessionCookies(koa, grant.session, grant.csrfToken, secureCookies);
        return ok({ user: grant.actor, csrfToken: grant.csrfToken });
      },
    }),
    route({
      method: 'delete', path: '/session', tag: 'users', roles: 'public', summary: 'Sign out: ends the session of the cookie sent, if any, and clears the cookies',
      reply: SignedOut, responses: { 200: '{signedOut}' },
      async handle({ koa }) {
        const session = koa.cookies.get(SESSION_COOKIE);
        if (session) await sessions.signOut(session);
        clearSessionCookies(koa);
        return ok({ signedOut: true });
      },
    }),
    route({
      method: 'put', path: '/users/:name/password', tag: 'users', roles: ['admin'], summary: 'Set or reset a user’s console password (at least 8 characters); their open sessions end',
      body: z.object({ password: passwordSchema }).strict(), reply: PasswordSet, responses: { 200: '{name, passwordSet, sessionsEnded}' },
      handle: async ({ actor, params, body }) => ok(await sessions.setPassword(actor, params.name!, body.password)),
    }),
    route({
      method: 'post', path: '/users', tag: 'users', roles: ['admin'], summary: 'Create a user; the reply holds its API token, shown only this once',
      body: newUserSchema, reply: CreatedUser, responses: { 201: '{user, token}' },
      handle: async ({ actor, body }) => created(await users.create(actor, body)),
    }),
    route({
      method: 'get', path: '/users', tag: 'users', roles: ['admin'], summary: 'List users',
      query: pageQuery, reply: UserPage, responses: { 200: '{items, total}' },
      handle: async ({ actor, query }) => ok(await users.list(actor, query)),
    }),
    route({
      method: 'get', path: '/me', tag: 'users', roles: 'any', summary: 'Who the token belongs to',
      reply: Me, responses: { 200: '{id, name, role, warehouses}' },
      handle: async ({ actor }) => ok(actor),
    }),
    route({
      method: 'post', path: '/users/:name/tokens', tag: 'users', roles: ['admin'], summary: 'Issue a new token for a user (optionally revoking the others)',
      body: z.object({ revokeOthers: z.boolean().default(false), expiresInDays: z.int().min(1).max(3650).optional() }).strict(), reply: Token, responses: { 201: '{token}' },
      handle: async ({ actor, params, body }) => created({ token: await users.issueToken(actor, params.name!, body.revokeOthers, body.expiresInDays) }),
    }),
    route({
      method: 'post', path: '/users/:name/deactivate', tag: 'users', roles: ['admin'], summary: 'Deactivate a user; their tokens stop working',
      reply: User, responses: { 200: 'the user' },
      handle: async ({ actor, params }) => ok(await users.setActive(actor, params.name!, false)),
    }),
  ];
}
