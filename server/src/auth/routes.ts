import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService, AuthUser } from './service.js';
import { unauthorized } from '../core/errors.js';

export const TOKEN_COOKIE = 'kefu_token';

const userSchema = z.object({ id: z.string(), username: z.string(), display_name: z.string(), role: z.string() });

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthUser;
  }
}

/** Reads the bearer token (API) or the cookie (media links in <img>) and sets request.user. */
export function requireUser(auth: AuthService) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : req.cookies?.[TOKEN_COOKIE];
    if (!token) throw unauthorized();
    req.user = await auth.verify(token);
  };
}

export function authRoutes(app: AppInstance, auth: AuthService) {
  app.post('/api/auth/login', {
    schema: {
      tags: ['auth'],
      summary: 'Log in with username and password',
      body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
      response: { 200: z.object({ token: z.string(), user: userSchema }) },
    },
  }, async (req, reply) => {
    const r = await auth.login(req.body.username, req.body.password);
    reply.setCookie(TOKEN_COOKIE, r.token, { path: '/api', httpOnly: true, sameSite: 'lax', maxAge: 12 * 3600 });
    return r;
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'], summary: 'Log out (clears the media cookie)' } }, async (_req, reply) => {
    reply.clearCookie(TOKEN_COOKIE, { path: '/api' });
    return { ok: true };
  });

  app.get('/api/me', {
    preHandler: requireUser(auth),
    schema: { tags: ['auth'], summary: 'The logged-in user', security: [{ bearer: [] }], response: { 200: userSchema } },
  }, async (req) => req.user!);
}
