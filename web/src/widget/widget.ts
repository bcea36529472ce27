/**
 * kefu website chat widget — one <script> tag, no framework.
 *   <script src="https://kefu.example.com/widget.js" data-title="悦肤美妆在线客服" async></script>
 * Talks to the origin it was loaded from: POST /api/widget/visitors, socket.io namespace /widget.
 */
import { io, type Socket } from 'socket.io-client';
import type { Message, MessageContent } from '../types';
import { WIDGET_CSS } from './style';

type Visitor = { visitor_id: string; visitor_token: string };
type SendAck = { ok: true; message: Message } | { ok: false; error: { code: string; message: string } };
/** `welcome`: the bot's greeting, sent by the server while the visitor has no conversation yet */
type HistoryAck = { ok: boolean; messages?: Message[]; welcome?: string };

const STORAGE_KEY = 'kefu_visitor';

// must be read synchronously while the script executes
const scriptEl = (document.currentScript as HTMLScriptElement | null) ??
  (Array.from(document.querySelectorAll('script[src]')) as HTMLScriptElement[]).find((s) => /\/widget\.js(\?|$)/.test(s.src)) ??
  null;

function resolveOrigin(): string {
  try {
    if (scriptEl?.src) return new URL(scriptEl.src, location.href).origin;
  } catch {
    /* fall through */
  }
  return location.origin;
}

function uuid(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

const ICON_CHAT =
  '<svg viewBox="0 0 24 24" width="28" height="28" fill="currentColor" aria-hidden="true"><path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4.5 21l3.7-1.9c1.2.4 2.5.6 3.8.6 5.5 0 10-3.8 10-8.5S17.5 3 12 3zm-4 9.8a1.3 1.3 0 110-2.6 1.3 1.3 0 010 2.6zm4 0a1.3 1.3 0 110-2.6 1.3 1.3 0 010 2.6zm4 0a1.3 1.3 0 110-2.6 1.3 1.3 0 010 2.6z"/></svg>';
const ICON_CLOSE =
  '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';
const ICON_SEND =
  '<svg viewBox="0 0 24 24" width="18" height="18" fill="currentColor" aria-hidden="true"><path d="M3.4 20.4l17.45-7.48a1 1 0 000-1.84L3.4 3.6a1 1 0 00-1.39 1.2L4.5 12l-2.49 7.2a1 1 0 001.39 1.2zM5.9 13h7.1v-2H5.9L4.7 6.6 17.6 12 4.7 17.4 5.9 13z"/></svg>';

const EVENT_TEXT: Record<string, string> = {
  conversation_closed: '会话已结束',
  conversation_assigned: '客服已接入',
  conversation_queued: '正在为您转接人工客服，请稍候',
  conversation_transferred: '会话已转接',
  handoff: '正在为您转接人工客服',
};

class KefuWidget {
  private readonly origin = resolveOrigin();
  private readonly title = scriptEl?.dataset.title || '在线客服';
  private visitor: Visitor | null = null;
  private socket: Socket | null = null;
  private messages: Message[] = [];
  /** the server's welcome (the bot settings' text), shown as the first bot bubble */
  private welcomeText: string | null = null;
  private open = false;
  private unread = 0;
  private connected = false;
  private everConnected = false;
  private authRetried = false;

  private root!: ShadowRoot;
  private bubble!: HTMLButtonElement;
  private badge!: HTMLSpanElement;
  private panel!: HTMLDivElement;
  private list!: HTMLDivElement;
  private input!: HTMLTextAreaElement;
  private sendBtn!: HTMLButtonElement;
  private statusEl!: HTMLSpanElement;

  mount(): void {
    const host = el('div', { id: 'kefu-widget-host' });
    host.style.cssText = 'position:fixed;z-index:2147483000;right:0;bottom:0;width:0;height:0;';
    this.root = host.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = WIDGET_CSS;
    this.root.appendChild(style);

    this.bubble = el('button', { class: 'bubble', type: 'button', 'data-testid': 'kefu-widget-bubble', 'aria-label': this.title, title: this.title });
    this.bubble.innerHTML = ICON_CHAT;
    this.badge = el('span', { class: 'badge', hidden: '' });
    this.bubble.appendChild(this.badge);
    this.bubble.addEventListener('click', () => this.toggle());

    this.panel = el('div', { class: 'panel', role: 'dialog', 'aria-label': this.title, 'data-testid': 'kefu-widget-panel', hidden: '' });
    const head = el('div', { class: 'head' });
    const titles = el('div', { class: 'titles' });
    titles.appendChild(el('div', { class: 'title' }, this.title));
    this.statusEl = el('span', { class: 'status', 'data-testid': 'kefu-widget-status' }, '连接中…');
    titles.appendChild(this.statusEl);
    const closeBtn = el('button', { class: 'close', type: 'button', 'aria-label': '关闭' });
    closeBtn.innerHTML = ICON_CLOSE;
    closeBtn.addEventListener('click', () => this.toggle(false));
    head.append(titles, closeBtn);

    this.list = el('div', { class: 'list', 'data-testid': 'kefu-widget-messages' });

    const foot = el('div', { class: 'foot' });
    this.input = el('textarea', { class: 'input', rows: '1', placeholder: '请输入您的问题，Enter 发送', 'data-testid': 'kefu-widget-input', maxlength: '2000' });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendFromInput();
      }
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      // agents see 「对方正在输入…」; volatile: a typing signal is worthless once late (the server throttles)
      if (this.input.value.trim()) this.socket?.volatile.emit('typing');
    });
    this.sendBtn = el('button', { class: 'send', type: 'button', 'data-testid': 'kefu-widget-send', 'aria-label': '发送' });
    this.sendBtn.innerHTML = `${ICON_SEND}<span>发送</span>`;
    this.sendBtn.addEventListener('click', () => this.sendFromInput());
    foot.append(this.input, this.sendBtn);
    const brand = el('div', { class: 'brand' }, 'Powered by kefu 客服');

    this.panel.append(head, this.list, foot, brand);
    this.root.append(this.panel, this.bubble);
    (document.body ?? document.documentElement).appendChild(host);

    // a returning visitor reconnects at once (to see replies that came while away)
    this.visitor = this.loadVisitor();
    if (this.visitor) this.connect();
  }

  /** the welcome as a bot bubble (not a stored message: the server sends it with the history) */
  private welcome(text: string): HTMLElement {
    const row = el('div', { class: 'row row-them', 'data-testid': 'kefu-widget-welcome' });
    const av = el('div', { class: 'avatar' }, '智');
    av.title = '智能助手';
    const col = el('div', { class: 'col' });
    const line = el('div', { class: 'line' });
    const bubble = el('div', { class: 'msg msg-them' });
    bubble.appendChild(el('div', { class: 'text' }, text));
    line.appendChild(bubble);
    col.appendChild(line);
    row.append(av, col);
    return row;
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 96)}px`;
  }

  private toggle(force?: boolean): void {
    this.open = force ?? !this.open;
    if (this.open) {
      this.panel.removeAttribute('hidden');
      this.bubble.classList.add('bubble-open');
      this.unread = 0;
      this.renderBadge();
      void this.ensureConnected();
      setTimeout(() => this.input.focus(), 50);
      this.scrollToBottom();
    } else {
      this.panel.setAttribute('hidden', '');
      this.bubble.classList.remove('bubble-open');
    }
  }

  private renderBadge(): void {
    if (this.unread > 0) {
      this.badge.textContent = this.unread > 99 ? '99+' : String(this.unread);
      this.badge.removeAttribute('hidden');
    } else this.badge.setAttribute('hidden', '');
  }

  private setStatus(text: string, state: string): void {
    this.statusEl.textContent = text;
    this.statusEl.dataset.state = state;
  }

  private loadVisitor(): Visitor | null {
    try {
      const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Visitor | null;
      return v && typeof v.visitor_id === 'string' && typeof v.visitor_token === 'string' ? v : null;
    } catch {
      return null;
    }
  }

  private async createVisitor(): Promise<Visitor> {
    const res = await fetch(`${this.origin}/api/widget/visitors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'omit',
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const v = (await res.json()) as Visitor;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ visitor_id: v.visitor_id, visitor_token: v.visitor_token }));
    } catch {
      /* storage disabled: session-only identity */
    }
    return v;
  }

  private creating: Promise<void> | null = null;
  private async ensureConnected(): Promise<void> {
    if (this.socket) return;
    if (this.creating) return this.creating;
    this.creating = (async () => {
      try {
        if (!this.visitor) this.visitor = await this.createVisitor();
        this.connect();
      } catch {
        this.setStatus('连接失败，请稍后重试', 'error');
        this.systemLine('无法连接客服，请稍后重试', 'error');
      } finally {
        this.creating = null;
      }
    })();
    return this.creating;
  }

  private connect(): void {
    if (!this.visitor || this.socket) return;
    const v = this.visitor;
    const s = io(`${this.origin}/widget`, {
      auth: { visitor_id: v.visitor_id, visitor_token: v.visitor_token },
      transports: ['websocket', 'polling'],
      withCredentials: false,
    });
    this.socket = s;
    s.on('connect', () => {
      this.connected = true;
      this.everConnected = true;
      this.setStatus('在线', 'connected');
      this.loadHistory();
    });
    s.on('disconnect', (reason) => {
      this.connected = false;
      this.setStatus('重连中…', 'reconnecting');
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 2000);
    });
    s.on('connect_error', (err: Error) => {
      this.connected = false;
      this.setStatus(this.everConnected ? '重连中…' : '连接中…', 'reconnecting');
      if (!s.active) {
        // rejected by the server: a stale identity (e.g. server data reset) gets a fresh one, once
        if (/auth|token|visitor|unauthor/i.test(err.message) && !this.authRetried) {
          this.authRetried = true;
          try {
            localStorage.removeItem(STORAGE_KEY);
          } catch {
            /* ignore */
          }
          this.visitor = null;
          s.removeAllListeners();
          s.disconnect();
          this.socket = null;
          void this.ensureConnected();
          return;
        }
        setTimeout(() => s.connect(), 3000);
      }
    });
    s.on('message', (p: { message: Message }) => {
      if (!p?.message) return;
      const isNew = this.upsert(p.message);
      if (isNew && p.message.direction !== 'in' && !this.open) {
        this.unread++;
        this.renderBadge();
      }
    });
  }

  private loadHistory(): void {
    const s = this.socket;
    if (!s) return;
    s.timeout(10_000).emit('history', (err: Error | null, res?: HistoryAck) => {
      if (err || !res?.messages) return;
      // kept for the session: the conversation that starts below it is the one it welcomed to
      if (typeof res.welcome === 'string' && res.welcome) this.welcomeText = res.welcome;
      const known = new Set(res.messages.map((m) => m.client_msg_id).filter(Boolean));
      const local = this.messages.filter((m) => m.id.startsWith('local-') && !known.has(m.client_msg_id));
      this.messages = [...res.messages, ...local];
      this.renderAll();
    });
  }

  /** insert or replace by id / client_msg_id; returns true when the message was new */
  private upsert(m: Message): boolean {
    let i = this.messages.findIndex((x) => x.id === m.id);
    if (i < 0 && m.client_msg_id) i = this.messages.findIndex((x) => x.client_msg_id === m.client_msg_id);
    if (i >= 0) {
      const prev = this.messages[i];
      if (prev.id === m.id && m.status === 'pending' && prev.status !== 'pending') return false;
      this.messages[i] = m;
      const node = this.list.querySelector(`[data-key="${cssEscape(prev.client_msg_id ?? prev.id)}"]`);
      const fresh = this.renderMessage(m);
      if (node) node.replaceWith(fresh);
      else this.renderAll();
      return false;
    }
    this.messages.push(m);
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 120;
    this.list.appendChild(this.renderMessage(m));
    if (nearBottom || m.direction === 'in') this.scrollToBottom();
    return true;
  }

  private sendFromInput(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.autosize();
    void this.sendText(text);
  }

  private async sendText(text: string, menuId?: string): Promise<void> {
    const cid = uuid();
    const local: Message = {
      id: `local-${cid}`,
      conversation_id: '',
      direction: 'in',
      sender_type: 'customer',
      sender_id: this.visitor?.visitor_id ?? null,
      content: { type: 'text', text, ...(menuId ? { menu_id: menuId } : {}) },
      status: 'pending',
      fail_code: null,
      fail_reason: null,
      client_msg_id: cid,
      created_at: new Date().toISOString(),
    };
    this.upsert(local);
    this.scrollToBottom();
    await this.ensureConnected();
    const s = this.socket;
    const fail = (reason: string, code = 'send_failed'): void => {
      this.upsert({ ...local, status: 'failed', fail_code: code, fail_reason: reason });
    };
    if (!s) return fail('未连接到客服，请稍后重试', 'not_connected');
    // socket.io buffers emits while disconnected; the timeout bounds the wait
    s.timeout(15_000).emit('send', { text, client_msg_id: cid, ...(menuId ? { menu_id: menuId } : {}) }, (err: Error | null, res?: SendAck) => {
      if (err) return fail('发送超时，请检查网络后重试', 'timeout');
      if (!res) return fail('发送失败');
      if (res.ok) this.upsert(res.message);
      else fail(res.error?.message || '发送失败', res.error?.code);
    });
  }

  private renderAll(): void {
    this.list.textContent = '';
    if (this.welcomeText) this.list.appendChild(this.welcome(this.welcomeText));
    for (const m of this.messages) this.list.appendChild(this.renderMessage(m));
    this.scrollToBottom();
  }

  private scrollToBottom(): void {
    requestAnimationFrame(() => {
      this.list.scrollTop = this.list.scrollHeight;
    });
  }

  private systemLine(text: string, kind = ''): void {
    const row = el('div', { class: `row row-system ${kind}` });
    row.appendChild(el('span', { class: 'sys' }, text));
    this.list.appendChild(row);
    this.scrollToBottom();
  }

  private mediaUrl(mediaId: string): string {
    const v = this.visitor;
    const q = v ? `?visitor_id=${encodeURIComponent(v.visitor_id)}&visitor_token=${encodeURIComponent(v.visitor_token)}` : '';
    return `${this.origin}/api/media/${encodeURIComponent(mediaId)}${q}`;
  }

  private renderMessage(m: Message): HTMLElement {
    const key = m.client_msg_id ?? m.id;
    const attrs = { 'data-testid': 'kefu-widget-message', 'data-message-id': m.id, 'data-status': m.status, 'data-direction': m.direction, 'data-key': key };
    if (m.content.type === 'event' || m.direction === 'system') {
      const text = this.eventText(m.content);
      const row = el('div', { class: 'row row-system', ...attrs });
      if (!text) row.setAttribute('hidden', '');
      row.appendChild(el('span', { class: 'sys' }, text));
      return row;
    }
    const mine = m.direction === 'in';
    const row = el('div', { class: `row ${mine ? 'row-me' : 'row-them'}`, ...attrs });
    if (!mine) {
      const av = el('div', { class: 'avatar' }, m.sender_type === 'bot' ? '智' : '客');
      av.title = m.sender_type === 'bot' ? '智能助手' : '客服';
      row.appendChild(av);
    }
    const col = el('div', { class: 'col' });
    const line = el('div', { class: 'line' });
    if (mine && m.status === 'pending') line.appendChild(el('span', { class: 'state pending', title: '发送中' }, '◷'));
    if (mine && m.status === 'failed') line.appendChild(el('span', { class: 'state failed', title: '发送失败' }, '!'));
    const bubble = el('div', { class: `msg ${mine ? 'msg-me' : 'msg-them'}` });
    bubble.appendChild(this.renderBody(m.content));
    line.appendChild(bubble);
    col.appendChild(line);
    if (m.status === 'failed') col.appendChild(el('div', { class: 'fail', 'data-testid': 'kefu-widget-fail-reason' }, m.fail_reason || '发送失败'));
    row.appendChild(col);
    return row;
  }

  private eventText(c: MessageContent): string {
    if (c.type !== 'event') return previewText(c);
    if (typeof c.data?.text === 'string') return c.data.text;
    return EVENT_TEXT[c.event] ?? '';
  }

  private renderBody(c: MessageContent): Node {
    switch (c.type) {
      case 'text':
        return el('div', { class: 'text' }, c.text);
      case 'image': {
        if (!c.media.media_id || c.media.error) return el('div', { class: 'muted' }, '[图片加载失败]');
        const a = el('a', { href: this.mediaUrl(c.media.media_id), target: '_blank', rel: 'noopener' });
        const img = el('img', { class: 'img', src: this.mediaUrl(c.media.media_id), alt: '图片', loading: 'lazy' });
        img.addEventListener('load', () => this.scrollToBottom(), { once: true });
        a.appendChild(img);
        return a;
      }
      case 'link': {
        const a = el('a', { class: 'card', href: c.url, target: '_blank', rel: 'noopener' });
        const body = el('div', { class: 'card-body' });
        body.appendChild(el('div', { class: 'card-title' }, c.title));
        if (c.desc) body.appendChild(el('div', { class: 'card-desc' }, c.desc));
        a.appendChild(body);
        if (c.pic_url) a.appendChild(el('img', { class: 'card-pic', src: c.pic_url, alt: '' }));
        return a;
      }
      case 'menu': {
        const box = el('div', { class: 'menu' });
        if (c.head) box.appendChild(el('div', { class: 'menu-head' }, c.head));
        for (const it of c.items) {
          if (it.type === 'click') {
            const b = el('button', { class: 'menu-item', type: 'button', 'data-testid': 'kefu-widget-menu-item' }, it.content);
            b.addEventListener('click', () => void this.sendText(it.content, it.id));
            box.appendChild(b);
          } else if (it.type === 'view') {
            box.appendChild(el('a', { class: 'menu-item menu-link', href: it.url, target: '_blank', rel: 'noopener' }, it.content));
          } else {
            box.appendChild(el('div', { class: 'menu-item menu-disabled', title: '请在微信中打开' }, it.content));
          }
        }
        if (c.tail) box.appendChild(el('div', { class: 'menu-tail' }, c.tail));
        return box;
      }
      case 'file':
      case 'voice':
      case 'video': {
        if (!c.media.media_id || c.media.error) return el('div', { class: 'muted' }, `${previewText(c)}（获取失败）`);
        if (c.type === 'video') return el('video', { class: 'img', src: this.mediaUrl(c.media.media_id), controls: '' });
        if (c.type === 'voice') return el('audio', { src: this.mediaUrl(c.media.media_id), controls: '' });
        return el('a', { class: 'file', href: this.mediaUrl(c.media.media_id), target: '_blank', rel: 'noopener' }, `📄 ${c.media.filename ?? '文件'}`);
      }
      default:
        return el('div', { class: 'text' }, previewText(c));
    }
  }
}

function cssEscape(s: string): string {
  return typeof CSS_ESC === 'function' ? CSS_ESC(s) : s.replace(/["\\]/g, '\\$&');
}
const CSS_ESC: ((s: string) => string) | undefined = typeof window !== 'undefined' && window.CSS && typeof window.CSS.escape === 'function' ? window.CSS.escape : undefined;

function previewText(c: MessageContent): string {
  switch (c.type) {
    case 'text': return c.text;
    case 'image': return '[图片]';
    case 'voice': return '[语音]';
    case 'video': return '[视频]';
    case 'file': return `[文件] ${c.media.filename ?? ''}`.trim();
    case 'location': return `[位置] ${c.name ?? ''} ${c.address ?? ''}`.trim();
    case 'link': return `[链接] ${c.title}`;
    case 'business_card': return '[名片]';
    case 'miniprogram': return `[小程序] ${c.title}`;
    case 'menu': return c.head ?? '[菜单]';
    case 'event': return '';
  }
}

declare global {
  interface Window { __kefuWidget?: KefuWidget }
}

function boot(): void {
  if (window.__kefuWidget) return; // included twice
  const w = new KefuWidget();
  window.__kefuWidget = w;
  w.mount();
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
