import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyBaseLogger, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AppError, type ErrorBody } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export type AppInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** The Fastify instance with kefu's conventions: zod validation, one error shape, OpenAPI at /api/docs. */
export async function createHttpApp(opts: { logger: Logger; bodyLimit: number; webDist?: string }): Promise<AppInstance> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    // JSON bodies: reject prototype pollution outright
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    const send = (status: number, body: ErrorBody) => reply.status(status).send(body);
    if (err instanceof AppError) {
      return send(err.status, { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }));
      return send(400, { error: { code: 'validation_error', message: `请求参数不正确: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details } });
    }
    const known: Record<string, [number, string, string]> = {
      FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', `request body exceeds ${opts.bodyLimit} bytes`],
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'unsupported Content-Type'],
      FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty_body', 'request body is empty'],
      FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'request body is not valid JSON'],
    };
    const k = err.code && known[err.code];
    if (k) return send(k[0], { error: { code: k[1], message: k[2] } });
    if (err instanceof SyntaxError || err.statusCode === 400) return send(400, { error: { code: 'bad_request', message: err.message } });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(err.statusCode, { error: { code: (err.code ?? 'bad_request').toLowerCase(), message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return send(500, { error: { code: 'internal', message: 'internal server error' } });
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'kefu API', version: '0.1.0', description: 'kefu 客服 REST API. Authenticate with `POST /api/auth/login`, then send `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.setNotFoundHandler((req, reply) => {
    // the agent web app is a single-page app: unknown non-API GETs serve its index.html
    // (paths that name a file, like a stale /assets/x.js, stay 404)
    const path = req.url.split('?')[0]!;
    if (req.method === 'GET' && !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path) && opts.webDist && existsSync(resolve(opts.webDist, 'index.html'))) {
      return reply.sendFile('index.html');
    }
    return reply.status(404).send({ error: { code: 'not_found', message: `${req.method} ${req.url.split('?')[0]} not found` } } satisfies ErrorBody);
  });
  if (opts.webDist && existsSync(opts.webDist)) {
    // wildcard: files are looked up per request, so a rebuilt web app is served without a restart
    await app.register(fastifyStatic, { root: resolve(opts.webDist), prefix: '/', wildcard: true, index: ['index.html'] });
  }
  return app;
}
