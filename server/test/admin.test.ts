import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/db/connect.js';
import { api, createTestDb, eventually, login, startKefuProcess, type Json, type Proc, type TestDb } from './harness.js';

// The administration API on a real kefu process: calendars (and their reach into SLA due times),
// SLA policies, categories, departments, notification templates and preferences, and the
// automation endpoints the admin UI adds (on/off, runs per day, task done/undo). Roles checked.
let db: TestDb;
let kefu: Proc;
let admin = '';
let agent = '';
const call = (method: string, path: string, body?: unknown, token = admin) => api(kefu.url, method, path, body, token);

beforeAll(async () => {
  db = await createTestDb();
  // WeCom is not needed here: an unreachable API base keeps the channel idle
  kefu = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9' });
  admin = await login(kefu.url, 'admin');
  agent = await login(kefu.url, 'agent1');
});
afterAll(async () => {
  await kefu?.stop();
  await db?.drop();
});

describe('admin API', () => {
  it('only admins and supervisors may use it', async () => {
    expect((await call('GET', '/api/admin/calendars', undefined, agent)).status).toBe(403);
    expect((await call('PUT', '/api/notifications/templates/sla_warning', { subject: 'x', body: 'y' }, agent)).status).toBe(403);
    expect((await call('GET', '/api/admin/sla-policies', undefined, await login(kefu.url, 'lead'))).status).toBe(200);
  });

  it('calendars: the seeded ones, a year preview with holidays and 调休, and a day off that moves open tickets\' due times', async () => {
    const cals = (await call('GET', '/api/admin/calendars')).body;
    expect(cals.items.map((c: Json) => c.id)).toEqual(['24x7', 'office-9-18']);
    const office = cals.items.find((c: Json) => c.id === 'office-9-18');
    expect(office.used_by).toEqual(['VIP 客户', '标准（工作日 9-18）']);

    // 2026: 国庆 1–7 October off, Saturday 10 October a make-up workday; 30 Sept 17:00 + 120 min → 8 Oct 10:00
    const p = await call('POST', '/api/admin/calendars/preview', { definition: office.definition, year: 2026, from: '2026-09-30T09:00:00Z', minutes: 120 });
    expect(p.status).toBe(200);
    expect(p.body.coverage).toBe('package');
    const day = (d: string) => p.body.days.find((x: Json) => x.date === d);
    expect(day('2026-10-01')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(day('2026-10-10')).toMatchObject({ kind: 'makeup', hours: '09:00-18:00' });
    expect(p.body.due).toBe('2026-10-08T02:00:00.000Z');
    // a year the data source does not have yet
    expect((await call('POST', '/api/admin/calendars/preview', { definition: office.definition, year: 2027 })).body.coverage).toBe('missing');

    const t = (await call('POST', '/api/tickets', { title: '日历测试', priority: 'normal' })).body;
    const before = Date.parse(t.sla.first_response.due_at);
    const dueDay = new Date(before + 8 * 3_600_000).toISOString().slice(0, 10);
    const upd = await call('PUT', '/api/admin/calendars/office-9-18', { name: office.name, definition: { ...office.definition, companyDaysOff: [dueDay] } });
    expect(upd.status).toBe(200);
    const after = Date.parse((await call('GET', `/api/tickets/${t.id}`)).body.sla.first_response.due_at);
    expect(after).toBeGreaterThan(before);
    // the first escalation level's timer follows (re-armed in the background): 120 business minutes = the new due time
    const { db: conn } = await openDb(db.url);
    try {
      await eventually(async () => {
        const job = await conn.selectFrom('jobs').select('run_at').where('key', '=', `ticket:${t.id}:esc:1`).executeTakeFirst();
        return job && Date.parse(job.run_at) === after;
      }, 'the escalation timer to move');
    } finally {
      await conn.destroy();
    }

    // bad hours: the error names the field; a used calendar cannot be deleted
    const bad = await call('PUT', '/api/admin/calendars/office-9-18', { name: 'x', definition: { ...office.definition, weekly: { mon: [{ start: '18:00', end: '09:00' }] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('/definition/weekly/mon/0');
    expect((await call('DELETE', '/api/admin/calendars/office-9-18')).body.error.code).toBe('in_use');
    const mine = await call('POST', '/api/admin/calendars', { name: '周末客服', definition: { mode: 'weekly', weekly: { sat: [{ start: '10:00', end: '16:00' }], sun: [{ start: '10:00', end: '16:00' }] } } });
    expect(mine.status).toBe(201);
    expect((await call('DELETE', `/api/admin/calendars/${mine.body.id}`)).status).toBe(204);
  });

  it('SLA policies: created on a calendar, validated with field paths, not deleted while tickets use them', async () => {
    const bad = await call('POST', '/api/admin/sla-policies', { name: '测试', calendar_id: 'office-9-18', first_response_minutes: 60, resolution_minutes: null, warn_before_minutes: 90, escalation: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: '/warn_before_minutes', message: '预警提前量必须小于时限' }]);
    expect((await call('POST', '/api/admin/sla-policies', { name: '测试', calendar_id: 'nope', first_response_minutes: 60, resolution_minutes: null })).body.error.code).toBe('unknown_calendar');
    const ok = await call('POST', '/api/admin/sla-policies', {
      name: '金卡加急', sort: 15, match: { tiers: ['金卡'], priorities: ['high'] }, calendar_id: '24x7', first_response_minutes: 45, resolution_minutes: 600, warn_before_minutes: 10,
      escalation: [{ after_minutes: 45, actions: ['flag_red'] }, { after_minutes: 30, actions: ['sms'] }],
    });
    expect(ok.status).toBe(400); // levels must rise
    expect(ok.body.error.details[0].path).toBe('/escalation/1/after_minutes');
    const created = await call('POST', '/api/admin/sla-policies', {
      name: '金卡加急', sort: 15, match: { tiers: ['金卡'], priorities: ['high'] }, calendar_id: '24x7', first_response_minutes: 45, resolution_minutes: 600, warn_before_minutes: 10,
      escalation: [{ after_minutes: 45, actions: ['flag_red'] }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ calendar_id: '24x7', calendar_name: '7×24 小时', escalation: [{ after_minutes: 45, target: 'first_response', actions: ['flag_red'] }] });
    const meta = (await call('GET', '/api/tickets/meta')).body;
    expect(meta.sla_policies.map((p: Json) => p.name)).toContain('金卡加急');
    const del = await call('DELETE', '/api/admin/sla-policies/sla_standard');
    expect(del.status, JSON.stringify(del.body)).toBe(409);
    expect(del.body.error.code).toBe('in_use');
    expect((await call('DELETE', `/api/admin/sla-policies/${created.body.id}`)).status).toBe(204);
  });

  it('categories and departments', async () => {
    const dup = await call('POST', '/api/admin/ticket-categories', { name: '物流', fields: [{ key: 'no', label: '运单号', type: 'text' }, { key: 'no', label: '再来', type: 'select' }] });
    expect(dup.status).toBe(400);
    expect(dup.body.error.details.map((d: Json) => d.path)).toEqual(['/fields/1/key', '/fields/1/options']);
    const cat = await call('POST', '/api/admin/ticket-categories', { id: 'logistics', name: '物流', default_department_id: 'dept_service', fields: [{ key: 'waybill', label: '运单号', type: 'text', required: true }] });
    expect(cat.status).toBe(201);
    const t = await call('POST', '/api/tickets', { title: '快递丢了', category_id: 'logistics', custom_fields: {} });
    expect(t.body.error.code).toBe('invalid_custom_fields'); // the new required field is enforced
    expect((await call('POST', '/api/tickets', { title: '快递丢了', category_id: 'logistics', custom_fields: { waybill: 'SF1234567890' } })).status).toBe(201);
    expect((await call('DELETE', '/api/admin/ticket-categories/logistics')).body.error.code).toBe('in_use');

    const users: Json[] = (await call('GET', '/api/admin/users')).body.items;
    const lead = users.find((u) => u.username === 'lead')!;
    const same = await call('POST', '/api/admin/departments', { name: '物流部', head_user_id: lead.id, next_manager_user_id: lead.id });
    expect(same.body.error.details[0].path).toBe('/next_manager_user_id');
    const dept = await call('POST', '/api/admin/departments', { name: '物流部', head_user_id: lead.id, contacts: { [lead.id]: { email: 'bad' } } });
    expect(dept.status).toBe(400);
    const good = await call('POST', '/api/admin/departments', { name: '物流部', head_user_id: lead.id, contacts: { [lead.id]: { email: 'wang@example.cn', phone: '13800138001' } } });
    expect(good.status).toBe(201);
    expect((await call('DELETE', '/api/admin/departments/dept_service')).body.error.code).toBe('in_use');
  });

  it('notification templates, my preferences and the log', async () => {
    const list = (await call('GET', '/api/notifications/templates')).body;
    expect(list.items.find((t: Json) => t.name === 'sla_warning').variables).toContain('ticketNo');
    const bad = await call('PUT', '/api/notifications/templates/sla_warning', { subject: '{{ticketNo}} {{oops}}', body: 'x' });
    expect(bad.body.error).toMatchObject({ code: 'unknown_variables', details: [{ path: '/subject' }] });
    expect((await call('PUT', '/api/notifications/templates/sla_warning', { subject: '预警 {{ticketNo}}', body: '{{title}} 快到期了', urgent: true })).status).toBe(200);
    const edited = (await call('GET', '/api/notifications/templates')).body.items.find((t: Json) => t.name === 'sla_warning');
    expect(edited.override).toMatchObject({ subject: '预警 {{ticketNo}}', urgent: true });
    expect((await call('DELETE', '/api/notifications/templates/sla_warning')).status).toBe(204);
    expect((await call('GET', '/api/notifications/templates')).body.items.find((t: Json) => t.name === 'sla_warning').override).toBeNull();

    expect((await call('PUT', '/api/notifications/preferences', { channels: ['email'], quietHours: { start: '22:00', end: '8:00' } })).status).toBe(400);
    expect((await call('PUT', '/api/notifications/preferences', { channels: ['email'], quietHours: { start: '22:00', end: '08:00' } })).status).toBe(200);
    expect((await call('GET', '/api/notifications/preferences')).body).toEqual({ channels: ['email'], quietHours: { start: '22:00', end: '08:00' } });
    expect((await call('GET', '/api/notifications/preferences', undefined, agent)).body).toEqual({});
    expect((await call('GET', '/api/notifications/log?channel=sms')).status).toBe(200);
  });

  it('automation: switch a rule off, runs per day, owner task done and undone', async () => {
    const rules: Json[] = (await call('GET', '/api/automation/rules')).body.items;
    const birthday = rules.find((r) => r.builtin === 'birthday_greeting')!;
    const off = await call('PATCH', `/api/automation/rules/${birthday.id}`, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, name: '生日祝福', trigger: birthday.trigger });
    expect((await call('PATCH', `/api/automation/rules/${birthday.id}`, { enabled: true }, agent)).status).toBe(403);
    const daily = (await call('GET', '/api/automation/runs/daily?days=7')).body.items;
    expect(daily).toHaveLength(7);
    expect(daily[6]).toMatchObject({ succeeded: 0, failed: 0, skipped: 0 });
    expect((await call('PATCH', '/api/automation/tasks/nope', { status: 'done' })).status).toBe(404);
  });
});
