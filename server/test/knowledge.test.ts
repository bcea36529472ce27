import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { api, eventually, login, ROOT, startStack, type Json } from './harness.js';

/** The knowledge base through its HTTP API, on a real kefu seeded with the demo knowledge. */
type Stack = Awaited<ReturnType<typeof startStack>>;
let s: Stack;
let trainer: string;
let agent: string;

const kb = (method: string, path: string, body?: unknown, token = trainer) => api(s.kefu.url, method, `/api/knowledge${path}`, body, token);

async function upload(path: string, filename: string, bytes: Uint8Array | string, token = trainer): Promise<{ status: number; body: Json }> {
  const fd = new FormData();
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  fd.append('file', new Blob([new Uint8Array(data)]), filename);
  const r = await fetch(`${s.kefu.url}/api/knowledge${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: fd });
  return { status: r.status, body: (await r.json()) as Json };
}

async function download(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const r = await fetch(`${s.kefu.url}/api/knowledge${path}`, { headers: { authorization: `Bearer ${trainer}` } });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

async function finished(jobId: string): Promise<Json> {
  return eventually(async () => {
    const r = await kb('GET', `/jobs/${jobId}`);
    return r.body.status !== 'running' && r.body;
  }, `job ${jobId}`, 30_000);
}

async function xlsx(rows: string[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('sheet1');
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n') + '\n';
const sortRows = (rows: string[][]) => [...rows].sort((a, b) => a.join('\u0001').localeCompare(b.join('\u0001')));

beforeAll(async () => {
  s = await startStack();
  trainer = await login(s.kefu.url, 'trainer');
  agent = await login(s.kefu.url, 'agent1');
});
afterAll(async () => s?.stop());

describe('knowledge base', () => {
  it('starts with the demo knowledge published as version 1; reads need a login, changes need a knowledge role', async () => {
    const status = await kb('GET', '/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ published_version: 1, draft_changed: false });
    expect(status.body.counts.intents).toBeGreaterThan(30);
    expect(status.body.counts.faqs).toBeGreaterThan(30);

    expect((await kb('GET', '/intents', undefined, agent)).status).toBe(200);
    expect((await api(s.kefu.url, 'GET', '/api/knowledge/intents')).status).toBe(401);
    const publish = await kb('POST', '/publish', {}, agent);
    expect(publish.status).toBe(403);
    expect(publish.body.error.code).toBe('forbidden');
    expect((await kb('POST', '/intents', { name: '代理商', examples: ['有代理吗'] }, agent)).status).toBe(403);
    expect((await kb('PUT', '/dictionaries', { synonyms: [], dialect: [], domainTerms: [], sensitive: [], whitelist: [] }, agent)).status).toBe(403);

    // documented with the other endpoints
    const docs = await api(s.kefu.url, 'GET', '/api/docs/json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/knowledge/publish', '/api/knowledge/import', '/api/knowledge/chatlogs/candidates']));
    expect(docs.body.paths['/api/knowledge/publish'].post.tags).toEqual(['knowledge']);
  });

  it('CRUD on the draft, publish as version 2, roll back to version 1 as version 3', async () => {
    const created = await kb('POST', '/intents', { name: '海外直邮', category: '物流', examples: ['能寄到国外吗', '支持海外直邮吗', '能发国际快递吗', '海外地址能下单吗', '寄到美国要多久'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const intentId = created.body.id;
    expect(created.body).toMatchObject({ name: '海外直邮', action: 'answer', updated_at: expect.any(String) });
    expect((await kb('POST', '/intents', { name: '海外直邮', examples: ['x'] })).status).toBe(409);

    const faq = await kb('POST', '/faqs', {
      intent_id: intentId,
      category: '物流',
      question: '支持海外直邮吗？',
      similar: ['能寄到国外吗', '能寄到国外吗'],
      answers: [
        { content: { type: 'text', text: '暂不支持海外直邮，可通过天猫国际购买。' } },
        { tier: 'VIP', content: { type: 'text', text: '尊敬的 VIP：专属顾问可协助您通过天猫国际下单。' } },
        { channel: 'web', content: { type: 'link', title: '天猫国际旗舰店', url: 'https://example.com/tmall-global' } },
        { channel: 'wecom_kf', content: { type: 'menu', head: '您想：', items: [{ type: 'click', id: 'm1', content: '去天猫国际' }, { type: 'click', id: 'm2', content: '转人工' }] } },
      ],
    });
    expect(faq.status, JSON.stringify(faq.body)).toBe(201);
    expect(faq.body.similar).toEqual(['能寄到国外吗']);
    expect(faq.body.answers).toHaveLength(4);
    const bad = await kb('POST', '/faqs', { question: 'x', answers: [{ content: { type: 'video', media: {} } }] });
    expect(bad.status).toBe(400);
    expect((await kb('POST', '/faqs', { question: 'x', intent_id: 'nope', answers: [{ content: { type: 'text', text: 'y' } }] })).body.error.code).toBe('unknown_intent');

    expect((await kb('GET', `/faqs?q=${encodeURIComponent('天猫国际')}`)).body.items.map((f: Json) => f.id)).toEqual([faq.body.id]);
    const logistics = (await kb('GET', `/faqs?category=${encodeURIComponent('物流')}`)).body.items;
    expect(logistics.length).toBeGreaterThan(1);
    expect(logistics.every((f: Json) => f.category === '物流')).toBe(true);

    const updated = await kb('PUT', `/intents/${intentId}`, { name: '海外直邮', category: '物流', examples: [...created.body.examples, '国外能收到货吗'] });
    expect(updated.status).toBe(200);
    expect(updated.body.examples).toContain('国外能收到货吗');

    const dicts = (await kb('GET', '/dictionaries')).body;
    const newDicts = { ...dicts, domainTerms: [...dicts.domainTerms, '海外直邮'], sensitive: [...dicts.sensitive, { word: '代购', action: 'flag' }] };
    expect((await kb('PUT', '/dictionaries', newDicts)).body.domainTerms).toContain('海外直邮');

    expect((await kb('GET', '/status')).body.draft_changed).toBe(true);
    const v2 = await kb('POST', '/publish', { note: '新增海外直邮' });
    expect(v2.status, JSON.stringify(v2.body)).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, published_at: expect.any(String), train_ms: expect.any(Number) });
    expect((await kb('GET', '/status')).body).toMatchObject({ published_version: 2, draft_changed: false });

    const published = (await kb('GET', '/published')).body;
    const version2 = (await kb('GET', '/versions/2')).body;
    expect(version2).toMatchObject({ version: 2, published_by: 'trainer', note: '新增海外直邮' });
    expect(published).toEqual(version2.snapshot);
    expect(published.intents.map((i: Json) => i.id)).toContain(intentId);
    expect(published.dictionaries.domainTerms).toContain('海外直邮');

    // the published model knows the new intent
    const t = await kb('POST', '/test', { text: '能寄到国外吗', use: 'published' });
    expect(t.body.version).toBe(2);
    expect(t.body.intents[0].intent_id).toBe(intentId);

    // delete both, then roll back to version 2 restores them; to version 1 removes them again
    expect((await kb('DELETE', `/faqs/${faq.body.id}`)).status).toBe(204);
    expect((await kb('DELETE', `/intents/${intentId}`)).status).toBe(204);
    expect((await kb('DELETE', `/intents/${intentId}`)).status).toBe(404);
    const back = await kb('POST', '/versions/1/rollback');
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ version: 3, rollback_of: 1 });

    const versions = (await kb('GET', '/versions')).body.items;
    expect(versions.map((v: Json) => v.version)).toEqual([3, 2, 1]);
    expect(versions[0]).toMatchObject({ rollback_of: 1, note: '回滚到版本 1' });
    expect(versions[0].counts).toEqual(versions[2].counts);

    const v1 = (await kb('GET', '/versions/1')).body.snapshot;
    const v3 = (await kb('GET', '/versions/3')).body.snapshot;
    expect({ ...v3, version: 1 }).toEqual(v1);
    expect((await kb('GET', '/published')).body).toEqual(v3);
    const draftIntents = (await kb('GET', '/intents')).body.items.map(({ updated_at: _u, ...i }: Json) => i);
    expect(draftIntents).toEqual(v1.intents);
    const draftFaqs = (await kb('GET', '/faqs')).body.items.map(({ updated_at: _u, ...f }: Json) => f);
    expect(draftFaqs).toEqual(v1.faqs);
    expect((await kb('GET', '/dictionaries')).body).toEqual(v1.dictionaries);
    expect((await kb('GET', '/status')).body).toMatchObject({ published_version: 3, draft_changed: false });
  });

  it('rejects a draft that cannot train with 422 and the reason', async () => {
    const empty = await kb('POST', '/intents', { name: '空意图', examples: [] });
    expect(empty.status).toBe(201);
    const r = await kb('POST', '/publish', {});
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('draft_invalid');
    expect(r.body.error.message).toContain('空意图');
    expect((await kb('GET', '/status')).body.published_version).toBe(3);
    expect((await kb('DELETE', `/intents/${empty.body.id}`)).status).toBe(204);
  });

  it('test console: normalised text, tokens, intents, FAQs with why, and the answer for the tier', async () => {
    const r = await kb('POST', '/test', { text: '我想退款，咋整？？', tier: 'VIP', use: 'published' }, agent);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.input).toBe('我想退款，咋整？？');
    expect(r.body.normalized).not.toBe(r.body.input);
    expect(r.body.tokens).toContain('退款');
    expect(r.body.intents[0]).toMatchObject({ intent_id: 'refund_process', name: '退款流程' });
    expect(r.body.intents[0].confidence).toBeGreaterThan(0.5);
    expect(r.body.faqs[0].faq_id).toBe('faq_refund_process');
    expect(r.body.faqs[0].why.length).toBeGreaterThan(0);
    expect(r.body.band).toBe('answer');
    expect(r.body.answer).toMatchObject({ faq_id: 'faq_refund_process', answer: { tier: 'VIP', content: { type: 'text' } } });
    expect(r.body.sentiment).toHaveProperty('label');
    expect(r.body.sensitive).toEqual({ flagged: expect.any(Array), blocked: expect.any(Array) });

    const draft = await kb('POST', '/test', { text: '今天天气怎么样', use: 'draft' });
    expect(draft.status).toBe(200);
    expect(draft.body.version).toBe(0);
    expect(draft.body.band).not.toBe('answer');
  });

  it('evaluation report on the demo knowledge, and the one-click bad-case fix', async () => {
    const r = await kb('POST', '/evaluate', { k: 5 });
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    const e = r.body;
    expect(e.accuracy).toBeGreaterThan(0.6);
    expect(e.macro_f1).toBeGreaterThan(0.5);
    expect(e.per_intent.length).toBeGreaterThan(30);
    expect(e.per_intent[0]).toEqual({ intent_id: expect.any(String), name: expect.any(String), precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number), support: expect.any(Number) });
    expect(e.confusion).toHaveLength(e.labels.length);
    for (const row of e.confusion) expect(row).toHaveLength(e.labels.length);
    const total = e.confusion.flat().reduce((a: number, b: number) => a + b, 0);
    expect(total).toBe(e.examples);
    expect(e.bad_cases.length).toBe(Math.round(e.examples * (1 - e.accuracy)));
    expect(e.train_ms).toBeGreaterThan(0);
    expect((await kb('POST', '/evaluate', {}, agent)).status).toBe(403);

    // the fix: the phrasing becomes an example of the chosen intent, and of no other
    const bc = e.bad_cases.find((b: Json) => b.predicted_id);
    const fixed = await kb('POST', '/bad-cases/fix', { text: bc.text, intent_id: bc.predicted_id });
    expect(fixed.status).toBe(200);
    expect(fixed.body.intent.examples).toContain(bc.text);
    expect(fixed.body.removed_from).toEqual([bc.expected_id]);
    const intents = (await kb('GET', '/intents')).body.items as Json[];
    expect(intents.filter((i) => i.examples.includes(bc.text)).map((i) => i.id)).toEqual([bc.predicted_id]);
    // and back
    const undo = await kb('POST', '/bad-cases/fix', { text: bc.text, intent_id: bc.expected_id });
    expect(undo.body.removed_from).toEqual([bc.predicted_id]);
    expect((await kb('GET', `/intents/${bc.expected_id}`)).body.examples).toContain(bc.text);
  });
});

describe('import and export', () => {
  const header = ['id', 'category', 'intent', 'question', 'similar', 'answer'];
  const rows = (tag: string) =>
    Array.from({ length: 10 }, (_, i) => ['', '测试', i % 2 ? 'refund_process' : '', `${tag}问题${i + 1}`, `${tag}说法${i + 1}a|${tag}说法${i + 1}b`, `${tag}答案${i + 1}`]);

  it('a CSV with 2 bad rows among 10: 8 created, rows 3 and 7 reported with reasons; re-import updates', async () => {
    const data = rows('CSV');
    data[2][3] = ''; // row 3: no question
    data[6][5] = ''; // row 7: no answer
    const file = csv([header, ...data]);
    const r = await upload('/import?kind=faqs', 'faqs.csv', file);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const job = await finished(r.body.job_id);
    expect(job).toMatchObject({ status: 'done', total: 10, processed: 10, created: 8, updated: 0 });
    expect(job.errors.map((e: Json) => e.row)).toEqual([3, 7]);
    expect(job.errors[0].message).toMatch(/question/);
    expect(job.errors[1].message).toMatch(/answer/);
    const imported = (await kb('GET', `/faqs?q=CSV问题`)).body.items;
    expect(imported).toHaveLength(8);
    expect(imported.find((f: Json) => f.question === 'CSV问题2')).toMatchObject({ intent_id: 'refund_process', similar: ['CSV说法2a', 'CSV说法2b'], answers: [{ content: { type: 'text', text: 'CSV答案2' } }] });

    const again = await finished((await upload('/import?kind=faqs', 'faqs.csv', file)).body.job_id);
    expect(again).toMatchObject({ status: 'done', created: 0, updated: 8 });
    expect((await kb('GET', `/faqs?q=CSV问题`)).body.items).toHaveLength(8);
  });

  it('an XLSX with 2 bad rows among 10: 8 created, rows 3 and 7 reported with reasons', async () => {
    const data = rows('XLSX');
    data[2][2] = '没有这个意图'; // row 3: unknown intent
    data[6][0] = 'bad id!'; // row 7: invalid id
    const r = await upload('/import?kind=faqs', 'faqs.xlsx', await xlsx([header, ...data]));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const job = await finished(r.body.job_id);
    expect(job).toMatchObject({ status: 'done', total: 10, processed: 10, created: 8 });
    expect(job.errors.map((e: Json) => e.row)).toEqual([3, 7]);
    expect(job.errors[0].message).toContain('没有这个意图');
    expect(job.errors[1].message).toMatch(/^id/);
  });

  it('refuses other files, missing columns, oversized files and agents', async () => {
    expect((await upload('/import?kind=faqs', 'faqs.txt', 'a,b')).status).toBe(415);
    const cols = await upload('/import?kind=intents', 'x.csv', 'foo,bar\n1,2\n');
    expect(cols.status).toBe(400);
    expect(cols.body.error.code).toBe('bad_columns');
    expect((await upload('/import?kind=faqs', 'big.csv', 'question,answer\n' + 'x'.repeat(10 * 1024 * 1024 + 10))).status).toBe(413);
    expect((await upload('/import?kind=faqs', 'faqs.csv', csv([header, ...rows('A')]), agent)).status).toBe(403);
  });

  it('export → import round-trips FAQs (CSV) and intents (XLSX)', async () => {
    const before = await download('/export?kind=faqs&format=csv');
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toContain('text/csv');
    expect(before.headers.get('content-disposition')).toMatch(/^attachment; filename="kefu-faqs-.*\.csv"/);
    const table = parse(before.bytes, { bom: true }) as string[][];
    expect(table[0]).toEqual(header);
    const count = (await kb('GET', '/faqs')).body.items.length;
    expect(table.length - 1).toBe(count);

    // change one FAQ and delete another, then import the export: both come back as they were
    const faqs = (await kb('GET', '/faqs')).body.items as Json[];
    const [a, b] = faqs.filter((f) => f.answers.length === 1 && f.answers[0].content.type === 'text');
    await kb('PUT', `/faqs/${a.id}`, { ...a, id: undefined, updated_at: undefined, question: '改过的问题', answers: [{ content: { type: 'text', text: '改过的答案' } }] });
    await kb('DELETE', `/faqs/${b.id}`);
    const job = await finished((await upload('/import?kind=faqs', 'round.csv', before.bytes)).body.job_id);
    expect(job).toMatchObject({ status: 'done', errors: [], created: 1, updated: count - 1 });
    const after = await download('/export?kind=faqs&format=csv');
    expect(sortRows(parse(after.bytes, { bom: true }) as string[][])).toEqual(sortRows(table));

    const ix = await download('/export?kind=intents&format=xlsx');
    expect(ix.status).toBe(200);
    expect(ix.headers.get('content-type')).toContain('spreadsheetml');
    const intentsBefore = (await kb('GET', '/intents')).body.items.map(({ updated_at: _u, ...i }: Json) => i);
    const ij = await finished((await upload('/import?kind=intents', 'intents.xlsx', ix.bytes)).body.job_id);
    expect(ij).toMatchObject({ status: 'done', errors: [], created: 0, updated: intentsBefore.length });
    expect((await kb('GET', '/intents')).body.items.map(({ updated_at: _u, ...i }: Json) => i)).toEqual(intentsBefore);
  });
});

describe('chat-log mining', () => {
  it('mines candidates from historical conversations, including a new topic; accept, merge, dismiss', async () => {
    const file = readFileSync(`${ROOT}/server/src/demo/knowledge/chatlogs.csv`);
    const r = await upload('/chatlogs', 'chatlogs.csv', file);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const job = await finished(r.body.job_id);
    expect(job.status).toBe('done');
    expect(job.errors).toEqual([]);
    expect(job.created).toBeGreaterThan(2);

    const items = (await kb('GET', '/chatlogs/candidates')).body.items as Json[];
    expect(items.length).toBe(job.created);
    expect(items.map((c) => c.count)).toEqual([...items.map((c) => c.count)].sort((x, y) => y - x));
    for (const c of items) {
      expect(c.count).toBeGreaterThanOrEqual(2);
      expect(c.examples.length).toBeGreaterThan(0);
      expect(c.status).toBe('pending');
      for (const e of c.examples) expect(e).not.toMatch(/^(好的谢谢|照片发你了)$/);
    }
    // 空瓶回收 is nothing the knowledge base knows: a new topic, with the agents' usual reply
    const fresh = items.find((c) => c.examples.some((e: string) => e.includes('空瓶')) && c.suggested_intent_id === null);
    expect(fresh, JSON.stringify(items.map((c) => [c.label, c.suggested_intent_id]))).toBeTruthy();
    expect(fresh!.suggested_answer).toMatch(/空瓶|积分/);
    const known = items.find((c) => c.suggested_intent_id);
    expect(known).toBeTruthy();

    const acc = await kb('POST', `/chatlogs/candidates/${fresh!.id}/accept`, { name: '空瓶回收', answer: fresh!.suggested_answer, category: '会员' });
    expect(acc.status, JSON.stringify(acc.body)).toBe(200);
    expect(acc.body.intent).toMatchObject({ name: '空瓶回收', category: '会员', examples: fresh!.examples });
    expect(acc.body.faq).toMatchObject({ intent_id: acc.body.intent.id, question: fresh!.label, answers: [{ content: { type: 'text', text: fresh!.suggested_answer } }] });
    expect((await kb('POST', `/chatlogs/candidates/${fresh!.id}/dismiss`)).status).toBe(409);

    const target = known!.suggested_intent_id;
    const m = await kb('POST', `/chatlogs/candidates/${known!.id}/merge`, { intent_id: target });
    expect(m.status).toBe(200);
    for (const e of known!.examples) expect(m.body.intent.examples).toContain(e);

    const rest = (await kb('GET', '/chatlogs/candidates')).body.items as Json[];
    expect(rest.map((c) => c.id)).not.toContain(fresh!.id);
    if (rest[0]) {
      expect((await kb('POST', `/chatlogs/candidates/${rest[0].id}/dismiss`)).status).toBe(200);
    }
    const all = (await kb('GET', '/chatlogs/candidates?status=all')).body.items as Json[];
    expect(all.find((c) => c.id === fresh!.id)!.status).toBe('accepted');
    expect(all.find((c) => c.id === known!.id)!.status).toBe('merged');

    // the new topic publishes and is then understood
    expect((await kb('POST', '/publish', { note: '空瓶回收' })).status).toBe(200);
    const t = await kb('POST', '/test', { text: '空瓶可以回收吗', use: 'published' });
    expect(t.body.intents[0].name).toBe('空瓶回收');
  });

  it('accepts JSON conversations and reports bad lines', async () => {
    const conversations = [
      { id: 'j1', messages: [{ role: 'customer', text: '能开电子发票吗' }, { role: 'agent', text: '可以的' }] },
      { id: 'j2', messages: [{ role: 'customer', text: '可以开电子发票吗' }, { role: 'robot', text: '?' }] },
    ];
    const r = await upload('/chatlogs', 'logs.json', JSON.stringify({ conversations }));
    expect(r.status).toBe(202);
    const job = await finished(r.body.job_id);
    expect(job).toMatchObject({ status: 'done', total: 4, processed: 4 });
    expect(job.errors).toEqual([{ row: 4, message: expect.stringContaining('role') }]);
    expect((await kb('GET', '/alerts')).body.items).toEqual([]);
  });
});

describe('intent skills (the agent skill a hand-off needs)', () => {
  it('the demo intents carry their skill into the published snapshot', async () => {
    const published = new Map(((await kb('GET', '/published')).body.intents as Json[]).map((i) => [i.id, i]));
    expect(published.get('invoice')!.skill).toBe('发票');
    expect(published.get('allergic_reaction')!.skill).toBe('过敏处理');
    expect(published.get('human_agent')!.skill ?? null).toBeNull();
  });

  it('set, cleared and changed through the API; published, exported and re-imported; a bad one changes nothing', async () => {
    const examples = ['能寄到香港吗', '澳门能发货吗', '台湾地址可以下单吗', '寄到香港要几天', '港澳台运费多少'];
    const body = { name: '港澳台配送', category: '物流', examples };
    const created = await kb('POST', '/intents', { ...body, skill: ' 跨境物流 ' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.skill).toBe('跨境物流');
    const id = created.body.id;
    expect((await kb('GET', `/intents/${id}`)).body.skill).toBe('跨境物流');

    // 33 characters: 400 naming the field, on create and on update; nothing changes
    const long = '技'.repeat(33);
    const count = (await kb('GET', '/intents')).body.items.length;
    const badCreate = await kb('POST', '/intents', { name: '技能太长', examples: ['技能太长了'], skill: long });
    expect(badCreate.status).toBe(400);
    expect(badCreate.body.error).toMatchObject({ code: 'validation_error', details: [{ path: '/skill', message: '技能最多 32 字' }] });
    expect((await kb('GET', '/intents')).body.items.length).toBe(count);
    const before = (await kb('GET', `/intents/${id}`)).body;
    const badUpdate = await kb('PUT', `/intents/${id}`, { ...body, skill: long });
    expect(badUpdate.status).toBe(400);
    expect(badUpdate.body.error.details).toEqual([{ path: '/skill', message: '技能最多 32 字' }]);
    expect((await kb('GET', `/intents/${id}`)).body).toEqual(before);

    // empty clears it; then the skill it keeps
    const cleared = await kb('PUT', `/intents/${id}`, { ...body, skill: '' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.skill ?? null).toBeNull();
    expect((await kb('GET', `/intents/${id}`)).body.skill ?? null).toBeNull();
    expect((await kb('PUT', `/intents/${id}`, { ...body, skill: '物流' })).body.skill).toBe('物流');

    const v = await kb('POST', '/publish', { note: '港澳台配送' });
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    const published = (await kb('GET', '/published')).body;
    expect(published.intents.find((i: Json) => i.id === id).skill).toBe('物流');
    expect((await kb('GET', `/versions/${v.body.version}`)).body.snapshot).toEqual(published);
    expect((await kb('GET', '/status')).body.draft_changed).toBe(false);

    // the CSV export has the column; importing it restores changed and cleared skills
    const exported = await download('/export?kind=intents&format=csv');
    const table = parse(exported.bytes, { bom: true }) as string[][];
    expect(table[0]).toEqual(['id', 'name', 'category', 'action', 'examples', 'skill']);
    expect(table.find((r) => r[0] === id)![5]).toBe('物流');
    expect(table.find((r) => r[0] === 'invoice')![5]).toBe('发票');
    expect(table.find((r) => r[0] === 'human_agent')![5]).toBe('');
    const intentsBefore = (await kb('GET', '/intents')).body.items.map(({ updated_at: _u, ...i }: Json) => i);
    await kb('PUT', `/intents/${id}`, { ...body, skill: '别的技能' });
    const invoice = (await kb('GET', '/intents/invoice')).body;
    await kb('PUT', '/intents/invoice', { name: invoice.name, category: invoice.category, action: invoice.action, examples: invoice.examples, skill: null });
    expect((await kb('GET', '/intents/invoice')).body.skill ?? null).toBeNull();
    const round = await finished((await upload('/import?kind=intents', 'intents.csv', exported.bytes)).body.job_id);
    expect(round).toMatchObject({ status: 'done', errors: [], created: 0, updated: intentsBefore.length });
    expect((await kb('GET', '/intents')).body.items.map(({ updated_at: _u, ...i }: Json) => i)).toEqual(intentsBefore);

    // a file without the column keeps skills; with it (here by its Chinese name), an empty cell
    // clears one and a too-long one is reported for its row
    const noColumn = await finished((await upload('/import?kind=intents', 'old.csv', csv([['id', 'name', 'category', 'examples'], [id, '港澳台配送', '物流', examples.join('|')]]))).body.job_id);
    expect(noColumn).toMatchObject({ status: 'done', errors: [], updated: 1 });
    expect((await kb('GET', `/intents/${id}`)).body.skill).toBe('物流');
    const withColumn = csv([['id', 'name', 'examples', '技能'], [id, '港澳台配送', examples.join('|'), ''], ['', '技能太长', '技能太长了', long]]);
    const job = await finished((await upload('/import?kind=intents', 'skills.csv', withColumn)).body.job_id);
    expect(job).toMatchObject({ status: 'done', created: 0, updated: 1, errors: [{ row: 2, message: 'skill: 技能最多 32 字' }] });
    expect((await kb('GET', `/intents/${id}`)).body.skill ?? null).toBeNull();
    expect((await kb('GET', `/intents?q=${encodeURIComponent('技能太长')}`)).body.items).toEqual([]);
  });
});
