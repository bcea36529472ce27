import type { Clock } from '../core/clock.js';
import type { EventBus, DomainEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KnowledgeService } from './service.js';
import { textTools } from './engine.js';
import type { KbAlertsTable } from './repo.js';

export type SurgeOptions = {
  /** the last hour must reach this multiple of the baseline (average hourly count over the previous day) */
  ratio: number;
  /** … and at least this many messages */
  minCount: number;
  /** counting granularity */
  bucketMinutes: number;
  /** the baseline window, ending where the last hour starts */
  baselineHours: number;
  /** examples kept per alert */
  maxExamples: number;
};
export const DEFAULT_SURGE: SurgeOptions = { ratio: 3, minCount: 10, bucketMinutes: 10, baselineHours: 24, maxExamples: 5 };

export type Alert = {
  id: string;
  kind: string;
  topic: string;
  ratio: number;
  count: number;
  baseline: number;
  examples: string[];
  created_at: string;
  acked_by: string | null;
  acked_at: string | null;
};

const HOUR = 3600_000;
const KEYWORD_STOP = new Set(['怎么', '什么', '为什么', '怎么办', '可以', '还是', '一下', '请问', '你们', '我们', '这个', '那个', '没有', '不是', '就是', '已经', '现在', '知道', '谢谢', '你好', '您好', '客服']);

/**
 * Hot-word surge: every inbound customer text is counted under a topic (the published bot's
 * intent when it is confident, else the message's top keywords) per 10-minute bucket; when a
 * topic's last hour reaches `ratio` × its baseline (and `minCount`), one alert per topic and
 * hour is stored and 'knowledge.alert' is emitted. Counts live in the database, so several
 * instances add up to one picture and raise one alert.
 */
export class SurgeMonitor {
  readonly opts: SurgeOptions;
  private readonly fallbackTools = textTools();

  constructor(
    private readonly k: KnowledgeService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: Partial<SurgeOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SURGE, ...opts };
  }

  /** subscribes to inbound messages; returns the unsubscribe function */
  start(): () => void {
    return this.bus.on('message.created', async (e) => {
      await this.onMessage(e);
    });
  }

  async onMessage(e: DomainEvents['message.created']): Promise<Alert | null> {
    const m = e.message;
    if (m.direction !== 'in' || m.sender_type !== 'customer' || m.content.type !== 'text') return null;
    return this.observe(m.content.text);
  }

  /** the topic a message counts under; null for messages about nothing (greetings, emojis) */
  async topicOf(text: string): Promise<string | null> {
    const published = await this.k.publishedModel().catch((err) => {
      this.log.warn({ err }, 'surge: published model unavailable');
      return null;
    });
    let tokens: string[];
    if (published) {
      const a = published.model.analyze(text);
      const top = a.intents[0];
      if (top && !a.out_of_scope && a.band === 'answer') return top.name;
      tokens = a.tokens;
    } else {
      tokens = this.fallbackTools.segment(this.fallbackTools.normalize(text));
    }
    const words = [...new Set(tokens.filter((t) => [...t].length >= 2 && !KEYWORD_STOP.has(t) && /\p{L}/u.test(t)))];
    if (!words.length) return null;
    // the two longest words, in a stable order: 物流 卡住 and 卡住 物流 are one topic
    return words.sort((a, b) => [...b].length - [...a].length || a.localeCompare(b)).slice(0, 2).sort().join(' ');
  }

  private bucketOf(t: number): number {
    const size = this.opts.bucketMinutes * 60_000;
    return Math.floor(t / size) * size;
  }

  /** Counts one message and raises an alert if its topic surged. */
  async observe(text: string): Promise<Alert | null> {
    const topic = await this.topicOf(text);
    if (!topic) return null;
    const now = this.clock.now().getTime();
    const bucket = new Date(this.bucketOf(now)).toISOString();
    const db = this.k.db;
    await db
      .insertInto('kb_topic_buckets')
      .values({ topic, bucket, count: 1, examples_json: JSON.stringify([text]) })
      .onConflict((oc) => oc.columns(['topic', 'bucket']).doUpdateSet((eb) => ({ count: eb(eb.ref('kb_topic_buckets.count'), '+', 1) })))
      .execute();
    // keep the bucket's latest few messages as examples
    const row = await db.selectFrom('kb_topic_buckets').select('examples_json').where('topic', '=', topic).where('bucket', '=', bucket).executeTakeFirst();
    const ex = row ? (JSON.parse(row.examples_json) as string[]) : [];
    if (ex.at(-1) !== text) {
      await db.updateTable('kb_topic_buckets').set({ examples_json: JSON.stringify([...ex, text].slice(-this.opts.maxExamples)) }).where('topic', '=', topic).where('bucket', '=', bucket).execute();
    }
    return this.check(topic, now);
  }

  /** Compares the topic's last hour with its baseline; stores and emits one alert per topic and hour. */
  async check(topic: string, now: number): Promise<Alert | null> {
    const size = this.opts.bucketMinutes * 60_000;
    const hourStart = this.bucketOf(now) - HOUR + size; // the last hour: the current bucket and the ones before it
    const baseStart = hourStart - this.opts.baselineHours * HOUR;
    const rows = await this.k.db
      .selectFrom('kb_topic_buckets')
      .select(['bucket', 'count', 'examples_json'])
      .where('topic', '=', topic)
      .where('bucket', '>=', new Date(baseStart).toISOString())
      .orderBy('bucket', 'desc')
      .execute();
    let count = 0;
    let before = 0;
    const examples: string[] = [];
    for (const r of rows) {
      if (Date.parse(r.bucket) >= hourStart) {
        count += Number(r.count);
        for (const e of (JSON.parse(r.examples_json) as string[]).reverse()) if (examples.length < this.opts.maxExamples && !examples.includes(e)) examples.push(e);
      } else before += Number(r.count);
    }
    const baseline = before / this.opts.baselineHours;
    if (count < this.opts.minCount || count < this.opts.ratio * baseline) return null;
    if (!(await this.warmedUp(now))) return null;
    const db = this.k.db;
    const nowIso = new Date(now).toISOString();
    const recent = await db.selectFrom('kb_alerts').select('id').where('kind', '=', 'surge').where('topic', '=', topic).where('created_at', '>', new Date(now - HOUR).toISOString()).executeTakeFirst();
    if (recent) return null;
    const alert: Alert = {
      id: newId('a'),
      kind: 'surge',
      topic,
      ratio: Math.round((count / Math.max(baseline, 1)) * 100) / 100,
      count,
      baseline: Math.round(baseline * 100) / 100,
      examples,
      created_at: nowIso,
      acked_by: null,
      acked_at: null,
    };
    const r = await db
      .insertInto('kb_alerts')
      .values({
        id: alert.id, kind: alert.kind, topic, dedupe_key: `surge:${topic}:${new Date(Math.floor(now / HOUR) * HOUR).toISOString()}`,
        ratio: alert.ratio, count, baseline: alert.baseline, examples_json: JSON.stringify(examples), created_at: nowIso, acked_by: null, acked_at: null,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    if (!Number(r.numInsertedOrUpdatedRows ?? 0)) return null;
    this.log.info({ topic, count, baseline: alert.baseline }, 'hot topic surge');
    this.bus.emit('knowledge.alert', { alert: { id: alert.id, kind: alert.kind, topic, ratio: alert.ratio, examples, created_at: nowIso } });
    return alert;
  }

  private warm = false;
  private prunedAt = 0;

  /**
   * Alerts start once counting has covered a whole baseline window: on a fresh install every
   * topic has a baseline of 0, and its first busy hour is no surge. Old buckets are pruned here too.
   */
  private async warmedUp(now: number): Promise<boolean> {
    const db = this.k.db;
    const keep = now - (this.opts.baselineHours + 2) * HOUR;
    if (now - this.prunedAt > HOUR) {
      this.prunedAt = now;
      await db.deleteFrom('kb_topic_buckets').where('bucket', '<', new Date(keep).toISOString()).execute();
    }
    if (this.warm) return true;
    const r = await db.selectFrom('kb_topic_buckets').select((eb) => eb.fn.min('bucket').as('since')).executeTakeFirst();
    const since = r?.since ? Date.parse(String(r.since)) : now;
    this.warm = now - since >= this.opts.baselineHours * HOUR;
    return this.warm;
  }

  async list(f: { status?: 'open' | 'acked' | 'all'; limit?: number } = {}): Promise<Alert[]> {
    let q = this.k.db.selectFrom('kb_alerts').selectAll();
    if (f.status === 'open') q = q.where('acked_at', 'is', null);
    if (f.status === 'acked') q = q.where('acked_at', 'is not', null);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit ?? 100).execute();
    return rows.map(toAlert);
  }

  /** marks the alert handled (a second ack keeps the first one's name and time) */
  async ack(id: string, by: string): Promise<Alert> {
    await this.k.db.updateTable('kb_alerts').set({ acked_by: by, acked_at: this.clock.now().toISOString() }).where('id', '=', id).where('acked_at', 'is', null).execute();
    const r = await this.k.db.selectFrom('kb_alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('alert');
    return toAlert(r);
  }
}

function toAlert(r: KbAlertsTable): Alert {
  return {
    id: r.id, kind: r.kind, topic: r.topic, ratio: Number(r.ratio), count: Number(r.count), baseline: Number(r.baseline),
    examples: JSON.parse(r.examples_json) as string[], created_at: r.created_at, acked_by: r.acked_by, acked_at: r.acked_at,
  };
}
