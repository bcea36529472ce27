import type { FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { AppError, forbidden } from '../core/errors.js';
import type { Dictionaries } from '../bot/engine/types.js';
import type { Knowledge } from './index.js';
import { dictionariesSchema, faqInput, intentInput, kbId } from './schemas.js';
import { MAX_IMPORT_BYTES, startImport } from './import.js';
import { exportFile } from './export.js';
import { MAX_CHATLOG_BYTES, startMining } from './mining.js';

/** roles that may change the knowledge base */
const EDITORS = new Set(['admin', 'trainer', 'supervisor']);

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const content = z.looseObject({ type: z.string() });
const answerOut = z.object({ tier: z.string().nullable().optional(), channel: z.string().nullable().optional(), content });
const intentOut = z.object({
  id: z.string(), name: z.string(), category: z.string().nullable().optional(), examples: z.array(z.string()), action: z.string().optional(),
  skill: z.string().nullable().optional().describe('the agent skill a hand-off about it needs; absent: none'), updated_at: z.string(),
});
const faqOut = z.object({
  id: z.string(), intent_id: z.string().nullable().optional(), category: z.string().nullable().optional(), question: z.string(),
  similar: z.array(z.string()), answers: z.array(answerOut), updated_at: z.string(),
});
const dictionariesOut = z.object({
  synonyms: z.array(z.object({ term: z.string(), synonyms: z.array(z.string()) })),
  dialect: z.array(z.object({ from: z.string(), to: z.string() })),
  domainTerms: z.array(z.string()),
  sensitive: z.array(z.object({ word: z.string(), action: z.enum(['flag', 'block']) })),
  whitelist: z.array(z.string()),
});
const countsOut = z.object({ intents: z.number(), faqs: z.number() });
const versionOut = z.object({ version: z.number(), published_by: z.string().nullable(), published_at: z.string(), note: z.string().nullable(), counts: countsOut, rollback_of: z.number().nullable() });
const snapshotOut = z.object({ version: z.number(), intents: z.array(intentOut.omit({ updated_at: true })), faqs: z.array(faqOut.omit({ updated_at: true })), dictionaries: dictionariesOut });
const publishOut = z.object({ version: z.number(), published_at: z.string(), train_ms: z.number() });
const analysisOut = z.looseObject({
  input: z.string(),
  normalized: z.string(),
  tokens: z.array(z.string()),
  intents: z.array(z.object({ intent_id: z.string(), name: z.string(), confidence: z.number() })),
  faqs: z.array(z.object({ faq_id: z.string(), question: z.string(), score: z.number(), why: z.array(z.string()) })),
  out_of_scope: z.boolean(),
  band: z.enum(['answer', 'clarify', 'fallback']),
  sentiment: z.looseObject({ score: z.number(), label: z.string(), complaint: z.boolean(), cues: z.array(z.string()) }),
  sensitive: z.object({ flagged: z.array(z.string()), blocked: z.array(z.string()) }),
  ms: z.number(),
  version: z.number().describe('the knowledge version tested (0 = draft)'),
  answer: z.object({ faq_id: z.string(), question: z.string(), answer: answerOut }).nullable().describe('the answer the bot would pick from the top FAQ for this tier and channel'),
});
const evaluationOut = z.object({
  k: z.number(),
  examples: z.number(),
  accuracy: z.number(),
  macro_f1: z.number(),
  labels: z.array(z.string()).describe('intent ids in confusion-matrix order (`__none__`: no intent predicted)'),
  per_intent: z.array(z.object({ intent_id: z.string(), name: z.string(), precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  confusion: z.array(z.array(z.number())).describe('rows: expected, columns: predicted'),
  bad_cases: z.array(z.object({ text: z.string(), expected_id: z.string(), expected: z.string(), predicted_id: z.string().nullable(), predicted: z.string().nullable(), confidence: z.number() })),
  train_ms: z.number(),
});
const jobOut = z.object({
  id: z.string(), kind: z.string(), status: z.enum(['running', 'done', 'failed']), filename: z.string().nullable(), total: z.number(), processed: z.number(),
  created: z.number(), updated: z.number(), errors: z.array(z.object({ row: z.number(), message: z.string() })), message: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
});
const candidateOut = z.object({
  id: z.string(), job_id: z.string(), label: z.string(), examples: z.array(z.string()), count: z.number(),
  suggested_intent_id: z.string().nullable(), suggested_intent: z.string().nullable(), suggested_answer: z.string().nullable(),
  status: z.enum(['pending', 'accepted', 'merged', 'dismissed']), created_at: z.string(), updated_at: z.string(),
});
const alertOut = z.object({
  id: z.string(), kind: z.string(), topic: z.string(), ratio: z.number(), count: z.number(), baseline: z.number(),
  examples: z.array(z.string()), created_at: z.string(), acked_by: z.string().nullable(), acked_at: z.string().nullable(),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const listQuery = z.strictObject({ q: z.string().max(200).optional(), category: z.string().max(64).optional() });
const jobAccepted = z.object({ job_id: z.string() });

/** reads the one `file` part of a multipart upload, within `max` bytes */
async function uploaded(req: FastifyRequest, max: number): Promise<{ filename: string; mime: string; bytes: Buffer }> {
  if (!req.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'send multipart/form-data with a `file` field');
  const file = await req.file({ limits: { fileSize: max, files: 1 } });
  if (!file) throw new AppError(400, 'file_missing', 'multipart body has no `file` field');
  const bytes = await file.toBuffer().catch((e: { code?: string }) => {
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(413, 'file_too_large', `文件超过 ${Math.round(max / 1024 / 1024)} MB`);
    throw e;
  });
  if (!bytes.length) throw new AppError(400, 'file_empty', 'the uploaded file is empty');
  return { filename: file.filename, mime: file.mimetype, bytes };
}

/**
 * The knowledge-base API for trainers: draft CRUD, publish/rollback, test console, evaluation,
 * import/export, chat-log mining and hot-topic alerts. Reads need a login; changes need the role
 * admin, trainer or supervisor.
 */
export async function knowledgeRoutes(app: AppInstance, deps: { auth: AuthService; knowledge: Knowledge }) {
  const { service: k, jobs, candidates, surge } = deps.knowledge;
  if (!app.hasRequestDecorator('isMultipart')) await app.register(multipart, { limits: { fileSize: MAX_CHATLOG_BYTES, files: 1 } });
  const login = requireUser(deps.auth);
  const editor = async (req: FastifyRequest, reply: FastifyReply) => {
    await login(req, reply);
    if (!EDITORS.has(req.user!.role)) throw forbidden('只有管理员、训练师或主管可以修改知识库');
  };
  const security = [{ bearer: [] }];
  const tags = ['knowledge'];
  const by = (req: FastifyRequest) => req.user?.username ?? null;

  // ── intents ──
  app.get('/api/knowledge/intents', {
    preHandler: login,
    schema: { tags, security, summary: 'Draft intents (filter by text or category)', querystring: listQuery, response: { 200: z.object({ items: z.array(intentOut) }) } },
  }, async (req) => ({ items: await k.listIntents(req.query) }));

  app.post('/api/knowledge/intents', {
    preHandler: editor,
    schema: { tags, security, summary: 'Create a draft intent', body: intentInput, response: { 201: intentOut, 400: errorSchema, 403: errorSchema, 409: errorSchema } },
  }, async (req, reply) => reply.status(201).send(await k.createIntent(req.body)));

  app.get('/api/knowledge/intents/:id', {
    preHandler: login,
    schema: { tags, security, summary: 'One draft intent', params: idParams, response: { 200: intentOut, 404: errorSchema } },
  }, async (req) => k.getIntent(req.params.id));

  app.put('/api/knowledge/intents/:id', {
    preHandler: editor,
    schema: { tags, security, summary: 'Replace a draft intent', params: idParams, body: intentInput.omit({ id: true }), response: { 200: intentOut, 404: errorSchema, 409: errorSchema } },
  }, async (req) => k.updateIntent(req.params.id, req.body));

  app.delete('/api/knowledge/intents/:id', {
    preHandler: editor,
    schema: { tags, security, summary: 'Delete a draft intent (its FAQs stay, unlinked); 204', params: idParams },
  }, async (req, reply) => {
    await k.deleteIntent(req.params.id);
    return reply.status(204).send();
  });

  // ── FAQs ──
  app.get('/api/knowledge/faqs', {
    preHandler: login,
    schema: { tags, security, summary: 'Draft FAQs (filter by text in question/similar/answer, or category)', querystring: listQuery, response: { 200: z.object({ items: z.array(faqOut) }) } },
  }, async (req) => ({ items: await k.listFaqs(req.query) }));

  app.post('/api/knowledge/faqs', {
    preHandler: editor,
    schema: { tags, security, summary: 'Create a draft FAQ (answers: text, image, link, menu; per tier/channel variants)', body: faqInput, response: { 201: faqOut, 400: errorSchema, 403: errorSchema, 409: errorSchema } },
  }, async (req, reply) => reply.status(201).send(await k.createFaq(req.body)));

  app.get('/api/knowledge/faqs/:id', {
    preHandler: login,
    schema: { tags, security, summary: 'One draft FAQ', params: idParams, response: { 200: faqOut, 404: errorSchema } },
  }, async (req) => k.getFaq(req.params.id));

  app.put('/api/knowledge/faqs/:id', {
    preHandler: editor,
    schema: { tags, security, summary: 'Replace a draft FAQ', params: idParams, body: faqInput.omit({ id: true }), response: { 200: faqOut, 400: errorSchema, 404: errorSchema } },
  }, async (req) => k.updateFaq(req.params.id, req.body));

  app.delete('/api/knowledge/faqs/:id', {
    preHandler: editor,
    schema: { tags, security, summary: 'Delete a draft FAQ; 204', params: idParams },
  }, async (req, reply) => {
    await k.deleteFaq(req.params.id);
    return reply.status(204).send();
  });

  // ── dictionaries ──
  app.get('/api/knowledge/dictionaries', {
    preHandler: login,
    schema: { tags, security, summary: 'Draft dictionaries: synonyms, dialect, domain terms, sensitive words, whitelist', response: { 200: dictionariesOut } },
  }, async () => k.getDictionaries());

  app.put('/api/knowledge/dictionaries', {
    preHandler: editor,
    schema: { tags, security, summary: 'Replace the draft dictionaries', body: dictionariesSchema, response: { 200: dictionariesOut } },
  }, async (req) => k.setDictionaries(req.body as Dictionaries));

  // ── status, publish, versions ──
  app.get('/api/knowledge/status', {
    preHandler: login,
    schema: {
      tags, security, summary: 'Published version and whether the draft differs from it',
      response: { 200: z.object({ published_version: z.number(), published_at: z.string().nullable(), draft_changed: z.boolean(), counts: countsOut }) },
    },
  }, async () => k.status());

  app.post('/api/knowledge/publish', {
    preHandler: editor,
    schema: {
      tags, security, summary: 'Publish the draft as the next version (trained once first: an untrainable draft is rejected with 422)',
      body: z.strictObject({ note: z.string().trim().max(500).optional() }).optional(), response: { 200: publishOut, 403: errorSchema, 422: errorSchema },
    },
  }, async (req) => k.publish({ by: by(req), note: req.body?.note ?? null }));

  app.get('/api/knowledge/versions', {
    preHandler: login,
    schema: { tags, security, summary: 'Published versions, newest first', response: { 200: z.object({ items: z.array(versionOut) }) } },
  }, async () => ({ items: await k.listVersions() }));

  const versionParams = z.object({ version: z.coerce.number().int().min(1) });
  app.get('/api/knowledge/versions/:version', {
    preHandler: login,
    schema: { tags, security, summary: 'One version with its snapshot', params: versionParams, response: { 200: versionOut.extend({ snapshot: snapshotOut }), 404: errorSchema } },
  }, async (req) => k.getVersion(req.params.version));

  app.post('/api/knowledge/versions/:version/rollback', {
    preHandler: editor,
    schema: {
      tags, security, summary: 'Restore the draft from a version and publish it as a new version (history stays linear)', params: versionParams,
      response: { 200: publishOut.extend({ rollback_of: z.number() }), 404: errorSchema, 422: errorSchema },
    },
  }, async (req) => k.rollback(req.params.version, by(req)));

  app.get('/api/knowledge/published', {
    preHandler: login,
    schema: { tags, security, summary: 'The active published snapshot (version 0 and empty before the first publish)', response: { 200: snapshotOut } },
  }, async () => k.published());

  // ── test console, evaluation, bad cases ──
  app.post('/api/knowledge/test', {
    preHandler: login,
    schema: {
      tags, security, summary: 'Test console: what the engine understands of a message, and the answer it would pick',
      body: z.strictObject({
        text: z.string().trim().min(1).max(2000),
        tier: z.string().trim().max(32).nullable().optional(),
        channel: z.enum(['wecom_kf', 'web']).nullable().optional(),
        use: z.enum(['draft', 'published']).default('draft'),
      }),
      response: { 200: analysisOut, 409: errorSchema, 422: errorSchema },
    },
  }, async (req) => k.test(req.body));

  app.post('/api/knowledge/evaluate', {
    preHandler: editor,
    schema: {
      tags, security, summary: 'k-fold cross-validation of the draft intents: accuracy, macro F1, per intent, confusion matrix, bad cases',
      body: z.strictObject({ k: z.number().int().min(2).max(10).default(5) }).optional(), response: { 200: evaluationOut, 422: errorSchema },
    },
  }, async (req) => k.evaluate(req.body?.k ?? 5));

  app.post('/api/knowledge/bad-cases/fix', {
    preHandler: editor,
    schema: {
      tags, security, summary: 'One-click fix: the phrasing becomes an example of this intent (and of no other)',
      body: z.strictObject({ text: z.string().trim().min(1).max(500), intent_id: kbId }),
      response: { 200: z.object({ intent: intentOut, removed_from: z.array(z.string()) }), 404: errorSchema },
    },
  }, async (req) => k.fixBadCase(req.body.text, req.body.intent_id));

  // ── import / export ──
  const kindQuery = z.strictObject({ kind: z.enum(['faqs', 'intents']) });
  app.post('/api/knowledge/import', {
    preHandler: editor,
    schema: {
      tags, security, consumes: ['multipart/form-data'], querystring: kindQuery,
      summary: 'Import FAQs (id,category,intent,question,similar,answer) or intents (id,name,category,action,examples,skill) from .csv/.xlsx (field `file`, ≤ 10 MB); progress at /api/knowledge/jobs/:id',
      response: { 202: jobAccepted, 400: errorSchema, 413: errorSchema, 415: errorSchema },
    },
  }, async (req, reply) => {
    const file = await uploaded(req, MAX_IMPORT_BYTES);
    const jobId = await startImport({ knowledge: k, jobs, log: k.log }, req.query.kind, file, by(req));
    return reply.status(202).send({ job_id: jobId });
  });

  app.get('/api/knowledge/jobs/:id', {
    preHandler: login,
    schema: { tags, security, summary: 'Progress of an import or chat-log mining job (errors: rows skipped, 1-based after the header, with the reason)', params: idParams, response: { 200: jobOut, 404: errorSchema } },
  }, async (req) => jobs.get(req.params.id));

  app.get('/api/knowledge/export', {
    preHandler: login,
    schema: { tags, security, summary: 'Export the draft FAQs or intents as .csv or .xlsx (the import format)', querystring: kindQuery.extend({ format: z.enum(['csv', 'xlsx']).default('csv') }) },
  }, async (req, reply) => {
    const f = await exportFile(k, req.query.kind, req.query.format, k.clock.now());
    return reply
      .header('Content-Type', f.contentType)
      .header('Content-Disposition', `attachment; filename="${f.filename}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
      .send(f.body);
  });

  // ── chat-log mining ──
  app.post('/api/knowledge/chatlogs', {
    preHandler: editor,
    schema: {
      tags, security, consumes: ['multipart/form-data'],
      summary: 'Mine historical conversations (CSV/XLSX conversation_id,time,role,text or JSON) for frequent customer questions; results at /api/knowledge/chatlogs/candidates',
      response: { 202: jobAccepted, 400: errorSchema, 413: errorSchema, 415: errorSchema },
    },
  }, async (req, reply) => {
    const file = await uploaded(req, MAX_CHATLOG_BYTES);
    const jobId = await startMining({ knowledge: k, jobs, log: k.log }, file, by(req));
    return reply.status(202).send({ job_id: jobId });
  });

  app.get('/api/knowledge/chatlogs/candidates', {
    preHandler: login,
    schema: {
      tags, security, summary: 'Mined question clusters, largest first',
      querystring: z.strictObject({ status: z.enum(['pending', 'accepted', 'merged', 'dismissed', 'all']).default('pending'), job_id: z.string().max(64).optional() }),
      response: { 200: z.object({ items: z.array(candidateOut) }) },
    },
  }, async (req) => ({ items: await candidates.list(req.query) }));

  app.post('/api/knowledge/chatlogs/candidates/:id/accept', {
    preHandler: editor,
    schema: {
      tags, security, summary: 'Accept a candidate: a new draft intent (its examples) and FAQ (its label, this answer)', params: idParams,
      body: z.strictObject({ name: z.string().trim().min(1).max(64), answer: z.string().trim().min(1).max(2000), category: z.string().trim().max(64).nullable().optional() }),
      response: { 200: z.object({ intent: intentOut, faq: faqOut }), 404: errorSchema, 409: errorSchema },
    },
  }, async (req) => candidates.accept(req.params.id, req.body));

  app.post('/api/knowledge/chatlogs/candidates/:id/merge', {
    preHandler: editor,
    schema: {
      tags, security, summary: 'Merge a candidate into an existing intent (adds its examples)', params: idParams,
      body: z.strictObject({ intent_id: kbId }), response: { 200: z.object({ intent: intentOut }), 404: errorSchema, 409: errorSchema },
    },
  }, async (req) => candidates.merge(req.params.id, req.body.intent_id));

  app.post('/api/knowledge/chatlogs/candidates/:id/dismiss', {
    preHandler: editor,
    schema: { tags, security, summary: 'Dismiss a candidate', params: idParams, response: { 200: z.object({ ok: z.literal(true) }), 404: errorSchema, 409: errorSchema } },
  }, async (req) => {
    await candidates.dismiss(req.params.id);
    return { ok: true as const };
  });

  // ── alerts ──
  app.get('/api/knowledge/alerts', {
    preHandler: login,
    schema: {
      tags, security, summary: 'Hot-topic surge alerts, newest first',
      querystring: z.strictObject({ status: z.enum(['open', 'acked', 'all']).default('all'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(alertOut) }) },
    },
  }, async (req) => ({ items: await surge.list(req.query) }));

  app.post('/api/knowledge/alerts/:id/ack', {
    preHandler: editor,
    schema: { tags, security, summary: 'Acknowledge an alert', params: idParams, response: { 200: alertOut, 404: errorSchema } },
  }, async (req) => surge.ack(req.params.id, by(req) ?? 'unknown'));
}

