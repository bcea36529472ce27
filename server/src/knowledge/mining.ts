import type { Logger } from '../core/logger.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KnowledgeService } from './service.js';
import type { Jobs } from './jobs.js';
import type { StoredFaq, StoredIntent } from './repo.js';
import { chatLogRow, describeIssues, type ChatLogRow } from './schemas.js';
import { decodeText, formatOf, readTable, requireColumns, type TableRow } from './table.js';
import { textTools } from './engine.js';

/**
 * Chat-log mining: the questions customers asked most in historical conversations, grouped by
 * meaning, each with the reply agents gave most often, proposed to trainers as candidates for
 * new intents/FAQs (or as more phrasings for an existing intent).
 *
 * Clustering: normalised text → TF-IDF vectors of words + character bigrams → greedy
 * clustering against cluster centroids (most frequent questions first) by cosine ≥ threshold,
 * then one agglomerative pass merging clusters whose centroids are that close; greetings and
 * thanks are dropped; clusters are ranked by size.
 */

export type ChatLine = { conversation_id: string; time?: string; role: 'customer' | 'agent'; text: string; seq: number };
export type MinedCluster = {
  label: string;
  /** distinct customer phrasings, most frequent first */
  examples: string[];
  /** customer messages in the cluster */
  count: number;
  /** the agent reply that most often followed */
  suggested_answer: string | null;
};
export type MiningOptions = {
  normalize: (s: string) => string;
  segment: (s: string) => string[];
  /** cosine similarity to join a cluster */
  threshold?: number;
  /** smallest cluster reported */
  minCount?: number;
  maxExamples?: number;
  /** the published bot's confident intent for a question, if any: questions it maps to the same intent group together */
  intentOf?: (normalized: string) => string | null;
};

/** greetings, thanks, acknowledgements and fillers: not questions worth an intent */
const CHITCHAT = /^(你好|您好|hi|hello|hey|嗨|哈喽|在吗|在不在|在么|在嘛|有人吗|有人在吗|客服|亲|亲亲|谢谢|谢谢你|谢谢您|多谢|感谢|好的|好|好滴|好嘞|行|可以|嗯|恩|哦|噢|喔|ok|okay|收到|知道了|明白了|懂了|了解|原来如此|拜拜|再见|没事了|没有了|没了|是的|对|不用了|辛苦了|麻烦了|麻烦你了|[啊呀吧呢哈嘛啦哦嗯的了吗么]|\s)+$/;
const LEADING_GREETING = /^((你好|您好|hi|hello|嗨|哈喽|亲|在吗|在不在|请问|打扰一下|麻烦问下|问一下|问下|好的|好|嗯|哦|那|那么|还有|另外)[\s,，!！.。~]*)+/;
const STOPWORDS = new Set(['的', '了', '吗', '呢', '啊', '呀', '吧', '嘛', '哦', '么', '是', '我', '你', '您', '我们', '你们', '这个', '那个', '一下', '请问', '就', '也', '都', '还', '在', '有', '和', '要', '想', '能', '会', '可以', '怎么', '什么', '吗?', '?']);
const NOISE = /[\s\p{P}\p{S}]+/gu;
const NOISE_ONLY = /^[\s\p{P}\p{S}]+$/u;

export function isChitChat(normalized: string): boolean {
  const t = normalized.replace(NOISE, '');
  return t.length < 2 || CHITCHAT.test(t);
}

/** order ids, phone numbers and the like: data, not questions */
const DATA_ONLY = /^[\p{N}a-z*#\-\s]+$|^\S{1,4}\s*1[3-9]\d[\d*]{8}$/iu;

type Vec = Map<string, number>;

function cosine(a: Vec, b: Vec): number {
  const [s, l] = a.size < b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, v] of s) {
    const w = l.get(k);
    if (w) dot += v * w;
  }
  return dot;
}

function unit(v: Vec): Vec {
  let n = 0;
  for (const x of v.values()) n += x * x;
  n = Math.sqrt(n) || 1;
  const out: Vec = new Map();
  for (const [k, x] of v) out.set(k, x / n);
  return out;
}

function addInto(acc: Vec, v: Vec, w: number): void {
  for (const [k, x] of v) acc.set(k, (acc.get(k) ?? 0) + x * w);
}

/** Groups customer questions of historical conversations; pure (no database). */
export function mineQuestions(lines: ChatLine[], o: MiningOptions): MinedCluster[] {
  const threshold = o.threshold ?? 0.35;
  const minCount = o.minCount ?? 2;
  const maxExamples = o.maxExamples ?? 20;

  // conversations in time order (the file's order breaks ties), then question → next agent reply
  const byConv = new Map<string, ChatLine[]>();
  for (const l of lines) {
    const c = byConv.get(l.conversation_id);
    if (c) c.push(l);
    else byConv.set(l.conversation_id, [l]);
  }
  type Q = { key: string; count: number; originals: Map<string, number>; replies: Map<string, { text: string; n: number }> };
  const questions = new Map<string, Q>();
  for (const conv of byConv.values()) {
    conv.sort((a, b) => (a.time && b.time ? Date.parse(a.time) - Date.parse(b.time) : 0) || a.seq - b.seq);
    conv.forEach((l, i) => {
      if (l.role !== 'customer' || !l.text) return;
      const norm = o.normalize(l.text).replace(LEADING_GREETING, '').trim();
      if (isChitChat(norm) || DATA_ONLY.test(norm)) return;
      const key = norm.replace(NOISE, '');
      let q = questions.get(key);
      if (!q) questions.set(key, (q = { key: norm, count: 0, originals: new Map(), replies: new Map() }));
      q.count++;
      q.originals.set(l.text.trim(), (q.originals.get(l.text.trim()) ?? 0) + 1);
      const reply = conv.slice(i + 1).find((x) => x.role === 'agent' && x.text);
      if (reply) {
        const rk = o.normalize(reply.text).replace(NOISE, '');
        const r = q.replies.get(rk) ?? { text: reply.text.trim(), n: 0 };
        r.n++;
        q.replies.set(rk, r);
      }
    });
  }
  if (!questions.size) return [];

  // TF-IDF over distinct questions: words (minus stop words) and character bigrams
  const qs = [...questions.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const terms = qs.map((q) => {
    const tf = new Map<string, number>();
    for (const w of o.segment(q.key)) if (!STOPWORDS.has(w) && !NOISE_ONLY.test(w)) tf.set(`w:${w}`, (tf.get(`w:${w}`) ?? 0) + 1);
    const chars = [...q.key.replace(NOISE, '')];
    for (let i = 0; i + 1 < chars.length; i++) {
      const g = `b:${chars[i]}${chars[i + 1]}`;
      tf.set(g, (tf.get(g) ?? 0) + 0.5);
    }
    return tf;
  });
  const df = new Map<string, number>();
  for (const tf of terms) for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = qs.length;
  const vecs = terms.map((tf, i) => {
    const v: Vec = new Map();
    for (const [t, f] of tf) v.set(t, (1 + Math.log(f)) * (Math.log((n + 1) / ((df.get(t) ?? 0) + 1)) + 1));
    const lexical = unit(v);
    const intent = o.intentOf?.(qs[i].key);
    if (!intent) return lexical;
    // as heavy as all the words together: same intent alone gives cosine 0.5
    lexical.set(`i:${intent}`, 1);
    return unit(lexical);
  });

  // greedy: the most frequent question seeds a cluster; the next joins the nearest centroid
  type C = { members: number[]; sum: Vec; centroid: Vec; count: number };
  let clusters: C[] = [];
  qs.forEach((q, i) => {
    let best = -1;
    let bestSim = threshold;
    clusters.forEach((c, j) => {
      const s = cosine(vecs[i], c.centroid);
      if (s >= bestSim) [best, bestSim] = [j, s];
    });
    if (best < 0) {
      clusters.push({ members: [i], sum: new Map(vecs[i]), centroid: vecs[i], count: q.count });
    } else {
      const c = clusters[best];
      c.members.push(i);
      addInto(c.sum, vecs[i], 1);
      c.centroid = unit(c.sum);
      c.count += q.count;
    }
  });
  // agglomerative pass: merge clusters whose centroids ended up close
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        if (cosine(clusters[a].centroid, clusters[b].centroid) >= threshold) {
          const A = clusters[a];
          const B = clusters[b];
          A.members.push(...B.members);
          addInto(A.sum, B.sum, 1);
          A.centroid = unit(A.sum);
          A.count += B.count;
          clusters = clusters.filter((_, j) => j !== b);
          merged = true;
          break outer;
        }
      }
    }
  }

  return clusters
    .filter((c) => c.count >= minCount)
    .map((c) => {
      const members = c.members.map((i) => qs[i]).sort((a, b) => b.count - a.count);
      const originals = new Map<string, number>();
      const replies = new Map<string, { text: string; n: number }>();
      for (const m of members) {
        for (const [t, k] of m.originals) originals.set(t, (originals.get(t) ?? 0) + k);
        for (const [rk, r] of m.replies) {
          const x = replies.get(rk) ?? { text: r.text, n: 0 };
          x.n += r.n;
          replies.set(rk, x);
        }
      }
      // label: the phrasing nearest the centroid among the most frequent ones
      const central = [...c.members].sort((i, j) => qs[j].count - qs[i].count || cosine(vecs[j], c.centroid) - cosine(vecs[i], c.centroid))[0];
      const label = [...qs[central].originals.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const examples = [...originals.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
      const reply = [...replies.values()].sort((a, b) => b.n - a.n)[0];
      return { label, examples: [label, ...examples.filter((e) => e !== label)].slice(0, maxExamples), count: c.count, suggested_answer: reply?.text ?? null };
    })
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

// ── files and jobs ──────────────────────────────────────────────────────────────────────

export const MAX_CHATLOG_BYTES = 20 * 1024 * 1024;

/** Rows of a chat-log upload: CSV/XLSX with conversation_id,time,role,text, or JSON. */
export async function readChatLogs(file: { filename?: string; mime?: string; bytes: Buffer }): Promise<TableRow[]> {
  const format = formatOf(file.filename, file.mime);
  if (!format) throw new AppError(415, 'unsupported_file', '只支持 .csv、.xlsx 或 .json 文件');
  if (format !== 'json') {
    const { columns, rows } = await readTable(file.bytes, format);
    requireColumns(columns, ['conversation_id', 'role', 'text']);
    return rows;
  }
  let data: unknown;
  try {
    data = JSON.parse(decodeText(file.bytes).replace(/^\uFEFF/, ''));
  } catch (e) {
    throw badRequest('file_unreadable', `JSON 无法解析：${(e as Error).message}`);
  }
  // [{conversation_id,time,role,text}] or [{conversation_id|id, messages:[{time,role,text}]}] or {conversations:[…]}
  const list = Array.isArray(data) ? data : Array.isArray((data as { conversations?: unknown })?.conversations) ? (data as { conversations: unknown[] }).conversations : null;
  if (!list) throw badRequest('file_unreadable', 'JSON 应为消息数组，或 {conversations:[{id, messages:[…]}]}');
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const rows: TableRow[] = [];
  for (const item of list as Record<string, unknown>[]) {
    if (item && Array.isArray(item.messages)) {
      const cid = str(item.conversation_id ?? item.id);
      for (const m of item.messages as Record<string, unknown>[]) rows.push({ row: rows.length + 1, values: { conversation_id: cid, time: str(m?.time), role: str(m?.role), text: str(m?.text) } });
    } else {
      rows.push({ row: rows.length + 1, values: { conversation_id: str(item?.conversation_id), time: str(item?.time), role: str(item?.role), text: str(item?.text) } });
    }
  }
  return rows;
}

export type Candidate = {
  id: string;
  job_id: string;
  label: string;
  examples: string[];
  count: number;
  suggested_intent_id: string | null;
  suggested_intent: string | null;
  suggested_answer: string | null;
  status: 'pending' | 'accepted' | 'merged' | 'dismissed';
  created_at: string;
  updated_at: string;
};

export async function startMining(deps: { knowledge: KnowledgeService; jobs: Jobs; log: Logger }, file: { filename?: string; mime?: string; bytes: Buffer }, by: string | null): Promise<string> {
  const rows = await readChatLogs(file);
  if (!rows.length) throw badRequest('file_empty', '文件中没有对话记录');
  const job = await deps.jobs.create('chatlogs', { filename: file.filename, total: rows.length, by });
  void (async () => {
    const k = deps.knowledge;
    const lines: ChatLine[] = [];
    for (const r of rows) {
      const p = chatLogRow.safeParse(r.values);
      if (!p.success) job.error(r.row, describeIssues(p.error));
      else if (p.data.time && Number.isNaN(Date.parse(p.data.time))) job.error(r.row, `time: 无法识别的时间 ${p.data.time}`);
      else lines.push({ ...(p.data as ChatLogRow), seq: r.row });
      job.processed++;
      await job.flush();
    }
    const draft = await k.draft();
    const published = await k.publishedModel();
    const intentOf = (text: string) => {
      const a = published!.model.analyze(text);
      return a.intents[0] && !a.out_of_scope && a.band === 'answer' ? a.intents[0].intent_id : null;
    };
    const clusters = mineQuestions(lines, { ...textTools(draft.dictionaries), intentOf: published ? intentOf : undefined });
    const names = new Map(draft.intents.map((i) => [i.id, i.name]));
    const now = k.now();
    for (const c of clusters) {
      // the intent the published bot already maps most of these phrasings to, if confidently
      let suggested: string | null = null;
      if (published) {
        const votes = new Map<string, number>();
        for (const e of c.examples.slice(0, 10)) {
          const a = published.model.analyze(e);
          const top = a.intents[0];
          if (top && !a.out_of_scope && a.band === 'answer') votes.set(top.intent_id, (votes.get(top.intent_id) ?? 0) + 1);
        }
        const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
        if (best && best[1] * 2 > Math.min(c.examples.length, 10) && names.has(best[0])) suggested = best[0];
      }
      await k.db.insertInto('kb_candidates').values({
        id: newId('c'), job_id: job.id, label: c.label, examples_json: JSON.stringify(c.examples), count: c.count,
        suggested_intent_id: suggested, suggested_answer: c.suggested_answer, status: 'pending', created_at: now, updated_at: now,
      }).execute();
      job.created++;
    }
    await job.finish('done');
  })().catch(async (err) => {
    deps.log.error({ err, job: job.id }, 'chat-log mining failed');
    await job.finish('failed', (err as Error).message).catch(() => undefined);
  });
  return job.id;
}

export class Candidates {
  constructor(private readonly k: KnowledgeService) {}

  async list(f: { status?: Candidate['status'] | 'all'; job_id?: string } = {}): Promise<Candidate[]> {
    let q = this.k.db.selectFrom('kb_candidates').selectAll();
    if (f.status && f.status !== 'all') q = q.where('status', '=', f.status);
    if (f.job_id) q = q.where('job_id', '=', f.job_id);
    const rows = await q.orderBy('count', 'desc').orderBy('created_at', 'desc').orderBy('id').limit(500).execute();
    const names = new Map((await this.k.db.selectFrom('kb_intents').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
    return rows.map((r) => ({
      id: r.id,
      job_id: r.job_id,
      label: r.label,
      examples: JSON.parse(r.examples_json) as string[],
      count: Number(r.count),
      suggested_intent_id: r.suggested_intent_id && names.has(r.suggested_intent_id) ? r.suggested_intent_id : null,
      suggested_intent: (r.suggested_intent_id && names.get(r.suggested_intent_id)) ?? null,
      suggested_answer: r.suggested_answer,
      status: r.status as Candidate['status'],
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }

  private async pending(id: string) {
    const r = await this.k.db.selectFrom('kb_candidates').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('candidate');
    if (r.status !== 'pending') throw new AppError(409, 'candidate_closed', `该候选已处理（${r.status}）`);
    return { ...r, examples: JSON.parse(r.examples_json) as string[] };
  }

  private async close(id: string, status: Candidate['status']) {
    await this.k.db.updateTable('kb_candidates').set({ status, updated_at: this.k.now() }).where('id', '=', id).execute();
  }

  /** a new intent (the examples) and its FAQ (the label as question, the answer) in the draft */
  async accept(id: string, o: { name: string; answer: string; category?: string | null }): Promise<{ intent: StoredIntent; faq: StoredFaq }> {
    const c = await this.pending(id);
    const { intent, faq } = await this.k.db.transaction().execute(async (tx) => {
      const intent = await this.k.createIntent({ name: o.name, category: o.category ?? null, examples: c.examples, action: 'answer' }, tx);
      const faq = await this.k.createFaq({
        question: c.label, similar: c.examples.filter((e) => e !== c.label).slice(0, 10), category: o.category ?? null, intent_id: intent.id,
        answers: [{ tier: null, channel: null, content: { type: 'text', text: o.answer } }],
      }, tx);
      await tx.updateTable('kb_candidates').set({ status: 'accepted', updated_at: this.k.now() }).where('id', '=', id).execute();
      return { intent, faq };
    });
    return { intent, faq };
  }

  async merge(id: string, intentId: string): Promise<{ intent: StoredIntent }> {
    const c = await this.pending(id);
    const intent = await this.k.addExamples(intentId, c.examples);
    await this.close(id, 'merged');
    return { intent };
  }

  async dismiss(id: string): Promise<void> {
    await this.pending(id);
    await this.close(id, 'dismissed');
  }
}
