/**
 * Admin-edited notification templates (table notification_templates, migration 013), read on
 * every send so an edit reaches every instance at once; notifications are rare enough that
 * one indexed read per send costs nothing worth caching.
 */
import type { Kysely } from 'kysely';
import type { Template } from './templates.js';

export interface NotificationTemplatesTable {
  name: string;
  subject: string;
  body: string;
  sms: string | null;
  urgent: number;
  updated_by: string | null;
  updated_at: string;
}

export type StoredTemplate = Template & { name: string; updated_by: string | null; updated_at: string };

export class TemplateStore {
  private readonly db: Kysely<{ notification_templates: NotificationTemplatesTable }>;
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<{ notification_templates: NotificationTemplatesTable }>;
  }

  async get(name: string): Promise<Template | null> {
    const r = await this.db.selectFrom('notification_templates').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? toTemplate(r) : null;
  }

  async list(): Promise<StoredTemplate[]> {
    const rows = await this.db.selectFrom('notification_templates').selectAll().execute();
    return rows.map((r) => ({ ...toTemplate(r), name: r.name, updated_by: r.updated_by, updated_at: r.updated_at }));
  }

  async set(name: string, t: Template, by: string | null, now: Date): Promise<void> {
    const row = { subject: t.subject, body: t.body, sms: t.sms ?? null, urgent: t.urgent ? 1 : 0, updated_by: by, updated_at: now.toISOString() };
    await this.db.insertInto('notification_templates').values({ name, ...row }).onConflict((oc) => oc.column('name').doUpdateSet(row)).execute();
  }

  async remove(name: string): Promise<void> {
    await this.db.deleteFrom('notification_templates').where('name', '=', name).execute();
  }
}

function toTemplate(r: NotificationTemplatesTable): Template {
  return { subject: r.subject, body: r.body, ...(r.sms ? { sms: r.sms } : {}), urgent: Number(r.urgent) === 1 };
}
