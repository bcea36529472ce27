import type { Clock } from '../core/clock.js';
import type { EventBus, DomainEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KnowledgeService } from './service.js';
import { textTools } from './engine.js';
import type { KbAlertsTable } from './repo.js';
import type { Message } from '../core/message.js';
import { analyzeMessage } from '../bot/index.js';

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
  /** how often the counts gathered in memory are written and checked (ms); 0: only by flush() */
  flushMs: number;
};
export const DEFAULT_SURGE: SurgeOptions = { ratio: 3, minCount: 10, bucketMinutes: 10, baselineHours: 24, maxExamples: 5, flushMs: 1000 };

/** Counts of one topic in one bucket not written yet, with the bucket's latest texts. */
type Pending = { topic: string; bucket: string; count: number; examples: string[] };
/** rows per statement when writing counts (well under both databases' parameter limits) */
const FLUSH_ROWS = 500;

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
 * instances add up to one picture and raise one alert. They are gathered in memory and written
 * every `flushMs` as increments (one upsert per flush, not per message); stop() writes the rest.
 */
export class SurgeMonitor {
  readonly opts: SurgeOptions;
  private readonly fallbackTools = textTools();
  private pending = new Map<string, Pending>();
  private readonly inflight = new Set<Promise<void>>();
  private flushing: Promise<Alert[]> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private off: (() => void) | undefined;

  constructor(
    private readonly k: KnowledgeService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: Partial<SurgeOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SURGE, ...opts };
  }

  /** Subscribes to inbound messages and writes counts every `flushMs`; returns stop(). */
  start(): () => Promise<void> {
    this.off = this.bus.on('message.created', (e) => {
      const p = this.onMessage(e).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
      return p;
    });
    if (this.opts.flushMs > 0) {
      this.timer = setInterval(() => void this.flush().catch((err) => this.log.warn({ err }, 'surge: writing counts failed; kept for the next flush')), this.opts.flushMs);
      this.timer.unref();
    }
    return () => this.stop();
  }

  /** Unsubscribes and writes what was counted (graceful shutdown: no count is lost). */
  async stop(): Promise<void> {
    this.off?.();
    this.off = undefined;
    clearInterval(this.timer);
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    // a database gone at shutdown must not stop the rest of the shutdown
    await this.flush().catch((err) => this.log.error({ err }, 'surge: the last counts could not be written'));
  }

  async onMessage(e: DomainEvents['message.created']): Promise<void> {
    const m = e.message;
    if (m.direction !== 'in' || m.sender_type !== 'customer' || m.content.type !== 'text') return;
    await this.observe(m.content.text, m);
  }

  /**
   * The topic a message counts under; null for messages about nothing (greetings, emojis).
   * With the message, the bot's analysis of it is shared instead of computed twice.
   */
  async topicOf(text: string, message?: Message): Promise<string | null> {
    const published = await this.k.publishedModel().catch((err) => {
      this.log.warn({ err }, 'surge: published model unavailable');
      return null;
    });
    let tokens: string[];
    if (published) {
      const a = message ? analyzeMessage(published.model, message, text) : published.model.analyze(text);
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

  /** Counts one message under its topic in the current bucket (written by the next flush). */
  async observe(text: string, message?: Message): Promise<void> {
    const topic = await this.topicOf(text, message);
    if (!topic) return;
    const bucket = new Date(this.bucketOf(this.clock.now().getTime())).toISOString();
    this.add({ topic, bucket, count: 1, examples: [text] });
  }

  private add(p: Pending): void {
    const key = `${p.topic}\n${p.bucket}`;
    const had = this.pending.get(key);
    if (!had) this.pending.set(key, { ...p, examples: p.examples.slice(-this.opts.maxExamples) });
    else {
      had.count += p.count;
      had.examples = mergeExamples(had.examples, p.examples, this.opts.maxExamples);
    }
  }

  /**
   * Writes the counts gathered since the last flush as increments, then checks the topics they
   * touched; returns the alerts raised. On failure the counts stay pending for the next flush.
   */
  async flush(): Promise<Alert[]> {
    // one writer at a time, so a batch is never taken twice
    while (this.flushing) await this.flushing.catch(() => undefined);
    const run = this.write();
    this.flushing = run;
    try {
      return await run;
    } finally {
      this.flushing = null;
    }
  }

  private async write(): Promise<Alert[]> {
    if (!this.pending.size) return [];
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const db = this.k.db;
    let written = 0;
    try {
      for (; written < batch.length; written += FLUSH_ROWS) {
        const rows = batch.slice(written, written + FLUSH_ROWS);
        // the bucket's latest texts are kept as its examples: ours after the stored ones (with
        // several instances the last writer's list wins; the counts are exact increments)
        const stored = await db
          .selectFrom('kb_topic_buckets')
          .select(['topic', 'bucket', 'examples_json'])
          .where((eb) => eb.or(rows.map((r) => eb.and([eb('topic', '=', r.topic), eb('bucket', '=', r.bucket)]))))
          .execute();
        const before = new Map(stored.map((r) => [`${r.topic}\n${r.bucket}`, JSON.parse(r.examples_json) as string[]]));
        await db
          .insertInto('kb_topic_buckets')
          .values(rows.map((r) => ({
            topic: r.topic, bucket: r.bucket, count: r.count,
            examples_json: JSON.stringify(mergeExamples(before.get(`${r.topic}\n${r.bucket}`) ?? [], r.examples, this.opts.maxExamples)),
          })))
          .onConflict((oc) => oc.columns(['topic', 'bucket']).doUpdateSet((eb) => ({
            count: eb(eb.ref('kb_topic_buckets.count'), '+', eb.ref('excluded.count')),
            examples_json: eb.ref('excluded.examples_json'),
          })))
          .execute();
      }
    } catch (e) {
      // what was not written counts again at the next flush, before what came in meanwhile
      const newer = this.pending;
      this.pending = new Map();
      for (const p of [...batch.slice(written), ...newer.values()]) this.add(p);
      throw e;
    }
    return this.check([...new Set(batch.map((p) => p.topic))], this.clock.now().getTime());
  }

  /**
   * Compares each topic's last hour with its baseline (one read for all of them); stores and
   * emits one alert per topic and hour.
   */
  async check(topics: string[], now: number): Promise<Alert[]> {
    if (!topics.length) return [];
    const size = this.opts.bucketMinutes * 60_000;
    const hourStart = this.bucketOf(now) - HOUR + size; // the last hour: the current bucket and the ones before it
    const baseStart = hourStart - this.opts.baselineHours * HOUR;
    const rows = await this.k.db
      .selectFrom('kb_topic_buckets')
      .select(['topic', 'bucket', 'count', 'examples_json'])
      .where('topic', 'in', topics)
      .where('bucket', '>=', new Date(baseStart).toISOString())
      .orderBy('bucket', 'desc')
      .execute();
    const alerts: Alert[] = [];
    for (const topic of topics) {
      let count = 0;
      let before = 0;
      const examples: string[] = [];
      for (const r of rows) {
        if (r.topic !== topic) continue;
        if (Date.parse(r.bucket) >= hourStart) {
          count += Number(r.count);
          for (const e of (JSON.parse(r.examples_json) as string[]).reverse()) if (examples.length < this.opts.maxExamples && !examples.includes(e)) examples.push(e);
        } else before += Number(r.count);
      }
      const baseline = before / this.opts.baselineHours;
      if (count < this.opts.minCount || count < this.opts.ratio * baseline) continue;
      if (!(await this.warmedUp(now))) return alerts;
      const alert = await this.raise(topic, count, baseline, examples, now);
      if (alert) alerts.push(alert);
    }
    return alerts;
  }

  /** Stores the topic's alert unless it had one within the hour; emits 'knowledge.alert'. */
  private async raise(topic: string, count: number, baseline: number, examples: string[], now: number): Promise<Alert | null> {
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

/** `older` then `newer`, the last `max` distinct texts */
function mergeExamples(older: string[], newer: string[], max: number): string[] {
  const out = older.filter((e) => !newer.includes(e));
  return [...out, ...newer].slice(-max);
}

function toAlert(r: KbAlertsTable): Alert {
  return {
    id: r.id, kind: r.kind, topic: r.topic, ratio: Number(r.ratio), count: Number(r.count), baseline: Number(r.baseline),
    examples: JSON.parse(r.examples_json) as string[], created_at: r.created_at, acked_by: r.acked_by, acked_at: r.acked_at,
  };
}
