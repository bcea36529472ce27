import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { InternalNote } from '../core/message.js';
import { requireUser } from '../auth/routes.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { errorSchema } from './routes.js';

/** migration 012_workspace */
type NotesTable = { id: string; conversation_id: string; author_id: string; text: string; created_at: string };
type NDb = Kysely<Database & { conversation_notes: NotesTable }>;

const noteSchema = z.object({
  id: z.string(), conversation_id: z.string(), author: z.object({ id: z.string(), name: z.string() }), text: z.string(), created_at: z.string(),
});
const idParams = z.object({ id: z.string().min(1).max(64) });

/**
 * Internal notes on a conversation: agents write them for each other (hand-over context,
 * warnings). They live in their own table, not among the messages, so no channel path can ever
 * send one to the customer; every agent's open clients get them live ('note.created').
 */
export function noteRoutes(app: AppInstance, deps: { db: Kysely<Database>; auth: AuthService; clock: Clock; bus: EventBus }) {
  const db = deps.db.withTables<{ conversation_notes: NotesTable }>() as unknown as NDb;
  const auth = requireUser(deps.auth);
  const tags = ['conversations'];
  const security = [{ bearer: [] }];
  const exists = async (id: string) => {
    if (!(await db.selectFrom('conversations').select('id').where('id', '=', id).executeTakeFirst())) throw notFound('conversation');
  };

  app.get('/api/conversations/:id/notes', {
    preHandler: auth,
    schema: { tags, security, summary: 'Internal notes of a conversation, oldest first (agents only)', params: idParams, response: { 200: z.object({ items: z.array(noteSchema) }), 404: errorSchema } },
  }, async (req) => {
    await exists(req.params.id);
    const rows = await db.selectFrom('conversation_notes').innerJoin('users', 'users.id', 'conversation_notes.author_id')
      .selectAll('conversation_notes').select('users.display_name')
      .where('conversation_notes.conversation_id', '=', req.params.id)
      .orderBy('conversation_notes.created_at').orderBy('conversation_notes.id').execute();
    return { items: rows.map((r): InternalNote => ({ id: r.id, conversation_id: r.conversation_id, author: { id: r.author_id, name: r.display_name }, text: r.text, created_at: r.created_at })) };
  });

  app.post('/api/conversations/:id/notes', {
    preHandler: auth,
    schema: {
      tags, security, summary: 'Write an internal note (never sent to the customer)', params: idParams,
      body: z.strictObject({ text: z.string().trim().min(1, '备注不能为空').max(2000) }),
      response: { 201: z.object({ note: noteSchema }), 404: errorSchema },
    },
  }, async (req, reply) => {
    await exists(req.params.id);
    const user = req.user!;
    const note: InternalNote = { id: newId('n'), conversation_id: req.params.id, author: { id: user.id, name: user.display_name }, text: req.body.text, created_at: deps.clock.now().toISOString() };
    await db.insertInto('conversation_notes').values({ id: note.id, conversation_id: note.conversation_id, author_id: user.id, text: note.text, created_at: note.created_at }).execute();
    deps.bus.emit('note.created', { note });
    return reply.status(201).send({ note });
  });
}
