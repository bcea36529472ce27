import Fastify, { type FastifyInstance } from 'fastify';
import { WecomCrypto } from '@kefu/server/wecom-crypto';
import { parseXml } from '@kefu/server/wecom-xml';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src/server.js';

export const CORP = 'ww5823bf96d3bd56c7';
export const SECRET = 'kefu-demo-kf-secret';
export const TOKEN = 'kefuDemoToken';
export const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

export interface Received {
  query: Record<string, string>;
  body: string;
  at: number;
}

/** A tiny stand-in for kefu's callback URL. */
export class Receiver {
  app: FastifyInstance = Fastify();
  received: Received[] = [];
  status = 200;
  url = '';
  port = 0;

  async start(port = 0): Promise<this> {
    this.app = Fastify();
    this.app.addContentTypeParser('*', { parseAs: 'string' }, (_r, b, done) => done(null, b));
    this.app.post('/cb', async (req, reply) => {
      this.received.push({ query: req.query as Record<string, string>, body: String(req.body), at: Date.now() });
      return reply.code(this.status).send(this.status === 200 ? 'success' : 'error');
    });
    this.app.get('/cb', async (req, reply) => {
      const q = req.query as Record<string, string>;
      const c = new WecomCrypto({ token: TOKEN, aesKey: AES_KEY, receiveId: CORP });
      return reply.type('text/plain').send(c.verifyUrl({ msg_signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, echostr: q.echostr }));
    });
    const addr = await this.app.listen({ port, host: '127.0.0.1' });
    this.port = Number(new URL(addr).port);
    this.url = `${addr}/cb`;
    return this;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  /** Decrypt a received callback like kefu would. */
  decode(r: Received): Record<string, string> {
    const outer = parseXml(r.body);
    const c = new WecomCrypto({ token: TOKEN, aesKey: AES_KEY, receiveId: CORP });
    const plain = c.decryptCallback({ msg_signature: r.query.msg_signature, timestamp: r.query.timestamp, nonce: r.query.nonce }, outer.Encrypt);
    return parseXml(plain);
  }
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type Json = Record<string, any>;

export class Client {
  token = '';
  constructor(readonly sim: Simulator) {}

  async get(path: string): Promise<Json> {
    const res = await fetch(this.sim.url + path);
    return (await res.json()) as Json;
  }

  async post(path: string, body: unknown): Promise<Json> {
    const res = await fetch(this.sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    return (await res.json()) as Json;
  }

  async postStatus(path: string, body: unknown): Promise<{ status: number; json: Json }> {
    const res = await fetch(this.sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    return { status: res.status, json: (await res.json()) as Json };
  }

  async accessToken(): Promise<string> {
    if (!this.token) {
      const r = await this.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
      this.token = r.access_token;
    }
    return this.token;
  }

  /** Calls a /cgi-bin API; refetches the token once on 40014/42001 like a real client. */
  async cgi(path: string, body: unknown): Promise<Json> {
    const r = await this.post(`${path}?access_token=${await this.accessToken()}`, body);
    if (r.errcode !== 42001 && r.errcode !== 40014) return r;
    this.token = '';
    return this.post(`${path}?access_token=${await this.accessToken()}`, body);
  }

  async customer(nickname: string): Promise<string> {
    return (await this.post('/sim/customers', { nickname })).external_userid;
  }

  async say(open_kfid: string, external_userid: string, content: string, extra: Json = {}): Promise<Json> {
    return this.post('/sim/kf/messages', { open_kfid, external_userid, msgtype: 'text', text: { content }, ...extra });
  }

  async reply(open_kfid: string, touser: string, content: string, extra: Json = {}): Promise<Json> {
    return this.cgi('/cgi-bin/kf/send_msg', { touser, open_kfid, msgtype: 'text', text: { content }, ...extra });
  }
}

export async function startSim(opts: SimulatorOptions = {}): Promise<{ sim: Simulator; client: Client; kfid: string; kfid2: string }> {
  const sim = await createSimulator({ port: 0, host: '127.0.0.1', env: {}, callbackUrl: '', retryDelaysMs: [20, 40, 80], ...opts });
  return { sim, client: new Client(sim), kfid: sim.state.accounts[0].open_kfid, kfid2: sim.state.accounts[1].open_kfid };
}
