import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import SQLite from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { Kysely, SqliteDialect } from 'kysely';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WecomApiClient } from '../channels/wecom/api-client.js';
import { OffsetClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import {
  ChannelError,
  DEFAULT_TEMPLATES,
  EmailChannel,
  maskEmail,
  maskPhone,
  maskText,
  maskUrl,
  NotificationService,
  notifyMigration,
  NotifyRepo,
  render,
  SinkSmsProvider,
  SmsChannel,
  templateVariables,
  WecomAppChannel,
  type NotificationChannel,
  type RetryPolicy,
} from './index.js';

const PHONE = '13812341234';
const EMAIL = 'zhang.san@example.com';

// ---- a log sink to prove that personal data never reaches the logs ------------------------
const logLines: string[] = [];
const logger = createLogger('debug', new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }));

// ---- a real SMTP server process-side (smtp-server), reading what arrived ------------------
const inbox: ParsedMail[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, cb) {
    simpleParser(stream).then((m) => (inbox.push(m), cb()), cb);
  },
  onRcptTo(addr, _s, cb) {
    // a mailbox that does not exist: permanent 550
    if (addr.address.startsWith('nobody@')) return cb(Object.assign(new Error('no such user'), { responseCode: 550 }));
    cb();
  },
});
let smtpUrl = '';

// ---- a tiny Fastify imitation of WeCom's gettoken + message/send --------------------------
const wecomCalls: { token: string; body: Record<string, unknown> }[] = [];
let wecom: FastifyInstance;
let wecomBase = '';

let db: Kysely<any>;
let repo: NotifyRepo;

beforeAll(async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

  wecom = Fastify();
  wecom.get('/cgi-bin/gettoken', async (req) => {
    const q = req.query as Record<string, string>;
    return q.corpsecret === 'agent-secret' ? { errcode: 0, errmsg: 'ok', access_token: 'TOKEN-1', expires_in: 7200 } : { errcode: 40001, errmsg: 'invalid credential' };
  });
  wecom.post('/cgi-bin/message/send', async (req) => {
    const body = req.body as Record<string, unknown>;
    wecomCalls.push({ token: (req.query as Record<string, string>).access_token, body });
    if (body.touser === 'ghost') return { errcode: 81013, errmsg: 'user & party & tag all invalid' };
    return { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: `msg-${wecomCalls.length}` };
  });
  wecomBase = await wecom.listen({ port: 0, host: '127.0.0.1' });

  db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  await notifyMigration.up(db);
  repo = new NotifyRepo(db);
});

afterAll(async () => {
  await notifyMigration.down(db);
  await db.destroy();
  await wecom.close();
  await new Promise<void>((r) => smtp.close(r));
});

beforeEach(() => {
  inbox.length = 0;
  wecomCalls.length = 0;
});

const waits: number[] = [];
function service(channels: NotificationChannel[], o: { clock?: OffsetClock; retry?: RetryPolicy } = {}) {
  return new NotificationService({
    repo,
    channels,
    logger,
    ...(o.clock ? { clock: o.clock } : {}),
    retry: o.retry ?? { attempts: 3, baseMs: 1000 },
    sleep: async (ms) => void waits.push(ms), // time is not waited for in tests
  });
}

const warningVars = { ticketNo: 'T20250124-0007', title: '空调不制冷', target: '首次响应', dueAt: new Date('2025-01-26T02:00:00Z'), remaining: '30 分钟', link: 'http://kefu.local/t/7' };

describe('templates and masking', () => {
  it('renders the Chinese defaults, dates in Beijing time', () => {
    expect(render(DEFAULT_TEMPLATES.sla_warning.body, warningVars)).toBe(
      '工单 T20250124-0007「空调不制冷」的首次响应将于 2025-01-26 10:00 到期（剩余 30 分钟），请尽快处理。\n查看工单：http://kefu.local/t/7',
    );
    for (const name of ['sla_warning', 'sla_breach_escalation', 'escalation_sms', 'supervisor_alert', 'report']) {
      expect(DEFAULT_TEMPLATES[name].subject, name).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(templateVariables(DEFAULT_TEMPLATES.escalation_sms)).toEqual(['ticketNo', 'overdue']);
  });

  it('refuses to send with missing variables, before anything is sent', async () => {
    const svc = service([new SmsChannel(new SinkSmsProvider())]);
    await expect(svc.send({ to: { phone: PHONE }, template: 'escalation_sms', vars: { ticketNo: 'T1' } })).rejects.toThrow(/missing template variables: overdue/);
    await expect(svc.send({ to: { phone: PHONE }, template: 'nope', vars: {} })).rejects.toThrow(/unknown notification template/);
  });

  it('masks phones, e-mails and URL secrets', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('+86 138-1234-1234')).toBe('138****1234');
    expect(maskEmail(EMAIL)).toBe('z***@example.com');
    expect(maskText(`请联系 13812341234 或 ${EMAIL}`)).toBe('请联系 138****1234 或 z***@example.com');
    expect(maskUrl('smtps://kefu:s3cret@smtp.exmail.qq.com:465')).toBe('smtps://kefu:***@smtp.exmail.qq.com:465');
  });
});

describe('channels', () => {
  it('e-mail is really delivered to a local SMTP server: subject, recipient, Chinese body', async () => {
    const email = new EmailChannel({ smtpUrl, from: 'kefu 客服系统 <noreply@kefu.local>' });
    const svc = service([email]);
    const r = await svc.send({ to: { userId: 'u-mail', email: EMAIL }, template: 'sla_warning', vars: warningVars, channels: ['email'] });
    email.close();
    expect(r.deliveries).toEqual([expect.objectContaining({ channel: 'email', outcome: 'sent', attempts: 1, address: 'z***@example.com' })]);
    expect(inbox).toHaveLength(1);
    const m = inbox[0];
    expect(m.subject).toBe('【SLA预警】工单 T20250124-0007 即将超时');
    expect((Array.isArray(m.to) ? m.to[0] : m.to)?.value[0].address).toBe(EMAIL);
    expect(m.from?.value[0]).toMatchObject({ address: 'noreply@kefu.local', name: 'kefu 客服系统' });
    expect(m.text).toContain('工单 T20250124-0007「空调不制冷」的首次响应将于 2025-01-26 10:00 到期');
    const log = await svc.list({ to: 'u-mail' });
    expect(log).toEqual([expect.objectContaining({ channel: 'email', outcome: 'sent', attempt: 1, address_masked: 'z***@example.com', template: 'sla_warning' })]);
    expect(log[0].provider_ref).toBe(m.messageId);
  });

  it('an unknown mailbox (SMTP 550) fails at once, without retries', async () => {
    const email = new EmailChannel({ smtpUrl, from: 'noreply@kefu.local' });
    const r = await service([email]).send({ to: { userId: 'u-550', email: 'nobody@example.com' }, template: 'report', vars: { period: '日', title: '客服日报', summary: '接待 120 人次', link: 'http://kefu.local/r/1' } });
    email.close();
    expect(r.deliveries.find((d) => d.channel === 'email')).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(inbox).toHaveLength(0);
  });

  it('SMS goes to the sink outbox, masked, with the short text', async () => {
    const sink = new SinkSmsProvider();
    const svc = service([new SmsChannel(sink)]);
    const r = await svc.send({ to: { userId: 'u-sms', phone: PHONE }, template: 'escalation_sms', vars: { ticketNo: 'T9', overdue: '8 小时' } });
    expect(r.deliveries).toEqual([
      expect.objectContaining({ channel: 'wecom', outcome: 'skipped', reason: 'channel_not_configured' }),
      expect.objectContaining({ channel: 'email', outcome: 'skipped', reason: 'channel_not_configured' }),
      expect.objectContaining({ channel: 'sms', outcome: 'sent', address: '138****1234', ref: 'sink-1' }),
    ]);
    expect(sink.outbox()).toEqual([expect.objectContaining({ phone: '138****1234', text: '【客服系统】工单T9已超时8 小时，已升级至您，请尽快处理。', template: 'escalation_sms' })]);
    expect((await svc.list({ to: 'u-sms', channel: 'sms' }))[0]).toMatchObject({ outcome: 'sent', address_masked: '138****1234' });
  });

  it('WeCom app message: gettoken with the agent secret, then message/send', async () => {
    const client = new WecomApiClient({ baseUrl: wecomBase, corpId: 'wwcorp', secret: 'agent-secret', timeoutMs: 2000, logger });
    const svc = service([new WecomAppChannel({ client, agentId: 1000002 })]);
    const vars = { ticketNo: 'T7', title: '退款未到账', target: '解决', dueAt: new Date('2025-10-09T02:00:00Z'), level: 2, assignee: '李四', department: '财务部', link: 'http://kefu.local/t/7' };
    const r = await svc.send({ to: { userId: 'u-head', wecomUserId: 'LiSi' }, template: 'sla_breach_escalation', vars, channels: ['wecom'] });
    expect(r.deliveries[0]).toMatchObject({ channel: 'wecom', outcome: 'sent', ref: 'msg-1' });
    expect(wecomCalls).toHaveLength(1);
    expect(wecomCalls[0].token).toBe('TOKEN-1');
    expect(wecomCalls[0].body).toMatchObject({ touser: 'LiSi', msgtype: 'text', agentid: 1000002, enable_duplicate_check: 1 });
    expect((wecomCalls[0].body.text as { content: string }).content).toBe(
      '【SLA超时升级】工单 T7 已超时，已升级给您\n工单 T7「退款未到账」的解决已于 2025-10-09 10:00 超时，现升级给您（第 2 级）。\n当前处理人：李四，所属部门：财务部。\n请及时跟进：http://kefu.local/t/7',
    );
    // every recipient invalid (81013) is permanent: one attempt, logged as failed
    const bad = await svc.send({ to: { userId: 'u-ghost', wecomUserId: 'ghost' }, template: 'sla_breach_escalation', vars, channels: ['wecom'] });
    expect(bad.deliveries[0]).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(bad.deliveries[0].reason).toMatch(/81013/);
  });
});

describe('retries, preferences, the log', () => {
  it('a failing channel is retried with backoff, then logged as failed — never dropped', async () => {
    let calls = 0;
    const broken: NotificationChannel = {
      name: 'sms',
      address: (r) => r.phone,
      mask: maskPhone,
      send: async () => {
        calls++;
        throw new Error(`gateway timeout for ${PHONE}`);
      },
    };
    waits.length = 0;
    const r = await service([broken]).send({ to: { userId: 'u-fail', phone: PHONE }, template: 'escalation_sms', vars: { ticketNo: 'T1', overdue: '2 小时' }, channels: ['sms'] });
    expect(calls).toBe(3);
    expect(r.deliveries[0]).toMatchObject({ outcome: 'failed', attempts: 3, reason: 'gateway timeout for 138****1234' });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(800);
    expect(waits[1]).toBeGreaterThanOrEqual(3200); // ×4
    const log = await repo.list({ to: 'u-fail' });
    expect(log.map((l) => [l.attempt, l.outcome])).toEqual([[1, 'retry'], [2, 'retry'], [3, 'failed']]);
    expect(log.every((l) => l.error === 'gateway timeout for 138****1234')).toBe(true);
  });

  it('a transient failure then success: retry + sent; permanent errors stop at once', async () => {
    let n = 0;
    const flaky: NotificationChannel = {
      name: 'wecom',
      address: (r) => r.wecomUserId,
      mask: (a) => a,
      send: async () => {
        if (++n === 1) throw new ChannelError('busy');
        return { ref: 'ok-2' };
      },
    };
    const r = await service([flaky]).send({ to: { userId: 'u-flaky', wecomUserId: 'WangWu' }, template: 'supervisor_alert', vars: { summary: '排队超过 20 人', detail: '售后组排队 23 人', at: new Date('2025-03-03T02:00:00Z') }, channels: ['wecom'] });
    expect(r.deliveries[0]).toMatchObject({ outcome: 'sent', attempts: 2, ref: 'ok-2' });
    expect((await repo.list({ to: 'u-flaky' })).map((l) => l.outcome)).toEqual(['retry', 'sent']);
  });

  it('respects stored preferences, mute and quiet hours (urgent goes through)', async () => {
    const sink = new SinkSmsProvider();
    const email = new EmailChannel({ smtpUrl, from: 'noreply@kefu.local' });
    const client = new WecomApiClient({ baseUrl: wecomBase, corpId: 'wwcorp', secret: 'agent-secret', timeoutMs: 2000, logger });
    const clock = new OffsetClock();
    const svc = service([new WecomAppChannel({ client, agentId: 1 }), email, new SmsChannel(sink)], { clock });
    const to = { userId: 'u-pref', wecomUserId: 'ZhaoLiu', email: EMAIL, phone: PHONE };
    const outcomes = (r: Awaited<ReturnType<typeof svc.send>>) => Object.fromEntries(r.deliveries.map((d) => [d.channel, d.reason ?? d.outcome]));

    await repo.setPreferences('u-pref', { channels: ['email', 'wecom'] }, new Date());
    expect(outcomes(await svc.send({ to, template: 'sla_warning', vars: warningVars }))).toEqual({ wecom: 'sent', email: 'sent', sms: 'opted_out' });
    expect(sink.outbox()).toHaveLength(0);

    await repo.setPreferences('u-pref', { muted: true }, new Date());
    expect(outcomes(await svc.send({ to, template: 'sla_warning', vars: warningVars }))).toEqual({ wecom: 'muted', email: 'muted', sms: 'muted' });

    // quiet hours 22:00–08:00 Beijing; now = 23:30 Beijing
    await repo.setPreferences('u-pref', { quietHours: { start: '22:00', end: '08:00' } }, new Date());
    clock.advance(new Date('2025-03-03T15:30:00Z').getTime() - clock.now().getTime());
    expect(outcomes(await svc.send({ to, template: 'sla_warning', vars: warningVars }))).toEqual({ wecom: 'quiet_hours', email: 'sent', sms: 'quiet_hours' });
    expect(outcomes(await svc.send({ to, template: 'escalation_sms', vars: { ticketNo: 'T3', overdue: '8 小时' }, channels: ['sms'] }))).toEqual({ sms: 'sent' });
    email.close();

    await expect(repo.setPreferences('u-pref', { channels: ['fax'] }, new Date())).rejects.toThrow();
  });

  it('list({ since, to }) answers what was sent to whom, since when', async () => {
    const clock = new OffsetClock();
    const sink = new SinkSmsProvider();
    const svc = service([new SmsChannel(sink)], { clock });
    clock.advance(new Date('2030-01-01T00:00:00Z').getTime() - clock.now().getTime());
    const since = clock.now();
    await svc.send({ to: { userId: 'u-list', phone: PHONE }, template: 'escalation_sms', vars: { ticketNo: 'T1', overdue: '1 小时' }, channels: ['sms'] });
    await svc.send({ to: { userId: 'u-other', phone: '13900001111' }, template: 'escalation_sms', vars: { ticketNo: 'T2', overdue: '1 小时' }, channels: ['sms'] });
    const mine = await svc.list({ since, to: 'u-list' });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ template: 'escalation_sms', channel: 'sms', outcome: 'sent', body: '【客服系统】工单T1已超时1 小时，已升级至您，请尽快处理。' });
    expect(await svc.list({ since: new Date('2031-01-01T00:00:00Z') })).toEqual([]);
  });

  it('no phone number, e-mail address or secret appears in the logs', () => {
    const all = logLines.join('');
    expect(all).toContain('138****1234');
    expect(all).not.toContain(PHONE);
    expect(all).not.toContain(EMAIL);
    expect(all).not.toContain('agent-secret');
    expect(all).not.toContain('TOKEN-1');
  });
});
