import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Button, Drawer, Empty, Grid, Tooltip } from 'antd';
import { IdcardOutlined, MessageOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError, upload, uuid } from '../api';
import type { Session } from '../App';
import { isUrgent, type Conversation, type Message, type MessageContent } from '../types';
import ConversationList from '../components/ConversationList';
import ChatPanel from '../components/ChatPanel';
import SidePanel from '../workspace/SidePanel';
import TransferButton, { TakeOverButton } from '../workspace/TransferDialog';
import { useTyping } from '../workspace/useTyping';
import { onOpenRequest } from '../workspace/openConversation';
import { inView, listUrl } from '../workspace/views';
import { pendingMessage, useOutboxItems, type Outbox, type RealtimeClient } from '../realtime';
import { VIEWS, type Agent, type ListFilters, type View, type ViewCounts } from '../workspace/types';

type Props = { session: Session; realtime: RealtimeClient; outbox: Outbox; mobile: boolean; onUnread?: (n: number) => void };

const STATUS_RANK: Record<Message['status'], number> = { pending: 0, received: 1, sent: 1, failed: 1 };

/** urgent hand-offs waiting in the queue first, then the most recent activity */
function sortConversations(list: Conversation[]): Conversation[] {
  const rank = (c: Conversation) => (c.status === 'queued' && isUrgent(c) ? 0 : 1);
  return [...list].sort(
    (a, b) => rank(a) - rank(b) || (a.last_message_at < b.last_message_at ? 1 : a.last_message_at > b.last_message_at ? -1 : 0),
  );
}

/** Insert or replace a message: same id, or the pending bubble with the same client_msg_id. Never downgrade a settled status back to pending. */
function upsertMessage(list: Message[], m: Message): Message[] {
  let idx = list.findIndex((x) => x.id === m.id);
  if (idx < 0 && m.client_msg_id) idx = list.findIndex((x) => x.client_msg_id === m.client_msg_id);
  if (idx < 0) return [...list, m];
  const prev = list[idx];
  if (STATUS_RANK[m.status] < STATUS_RANK[prev.status] && prev.id === m.id) return list;
  const next = [...list];
  next[idx] = m;
  return next;
}

function isLocal(m: Message): boolean {
  return m.id.startsWith('local-');
}

const MANAGERS = ['admin', 'supervisor'];
const VIEW_KEY = 'kefu_ws_view';
/** tab counts follow bursts of events: one request per burst (after the open conversation's auto-read at 400 ms) */
const COUNTS_DEBOUNCE_MS = 500;

/**
 * The tab a session opens on: the last one chosen, else 'all' for supervisors and 'team' for
 * agents (their team's conversations and the queue it serves: nothing waiting is out of sight).
 */
function initialView(views: readonly View[], manager: boolean): View {
  const saved = localStorage.getItem(VIEW_KEY) as View | null;
  return saved && views.includes(saved) ? saved : manager ? 'all' : 'team';
}

export default function WorkspacePage({ session, realtime, outbox, mobile, onUnread }: Props) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const wide = Grid.useBreakpoint().xl === true;
  const me = session.user?.id;
  const manager = MANAGERS.includes(session.user?.role ?? '');
  const views = useMemo(() => (manager ? VIEWS : VIEWS.filter((v) => v !== 'all')), [manager]);

  const [view, setViewState] = useState<View>(() => initialView(views, manager));
  const [filters, setFilters] = useState<ListFilters>({});
  const [counts, setCounts] = useState<ViewCounts>({});
  const [agents, setAgents] = useState<Agent[]>([]);
  const [sideOpen, setSideOpen] = useState(false);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [listLoading, setListLoading] = useState(true);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [msgLoading, setMsgLoading] = useState(false);
  const [closing, setClosing] = useState(false);
  const [tick, setTick] = useState(0);

  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const team = useMemo(() => {
    const mine = agents.find((a) => a.user_id === me)?.team;
    return new Set(mine ? agents.filter((a) => a.team === mine).map((a) => a.user_id) : me ? [me] : []);
  }, [agents, me]);
  // what the live handlers need to decide whether a changed conversation belongs in the list
  const viewRef = useRef({ view, filters, team });
  viewRef.current = { view, filters, team };
  const listSeq = useRef(0);
  const countsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const toastedRef = useRef(new Set<string>());
  const readTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const selected = useMemo(() => conversations.find((c) => c.id === selectedId) ?? null, [conversations, selectedId]);

  useEffect(() => {
    const h = setInterval(() => setTick((x) => x + 1), 30_000);
    return () => clearInterval(h);
  }, []);

  const failToast = useCallback(
    (m: Message | null, reason: string) => {
      const key = m ? m.client_msg_id ?? m.id : uuid();
      if (toastedRef.current.has(key)) return;
      toastedRef.current.add(key);
      toast.error(t('chat.sendFailed', { reason }));
    },
    [toast, t],
  );

  const fetchCounts = useCallback(() => {
    api<{ views: ViewCounts }>('/api/conversations/counts').then((r) => setCounts(r.views), () => undefined);
  }, []);
  const loadCounts = useCallback(() => {
    if (countsTimer.current) clearTimeout(countsTimer.current);
    countsTimer.current = setTimeout(fetchCounts, COUNTS_DEBOUNCE_MS);
  }, [fetchCounts]);

  const loadList = useCallback(async () => {
    // a newer request (another tab, filter or search) wins over a slower older one
    const seq = ++listSeq.current;
    fetchCounts();
    try {
      const r = await api<{ items: Conversation[] }>(listUrl(viewRef.current.view, viewRef.current.filters));
      if (seq !== listSeq.current) return;
      const sel = selectedRef.current;
      setConversations((prev) => {
        const items = r.items.map((c) => (c.id === sel ? { ...c, unread_count: 0 } : c));
        // keep the open conversation visible even if it left the tab (closed, transferred, taken)
        const keep = sel && !items.some((c) => c.id === sel) ? prev.filter((c) => c.id === sel) : [];
        return sortConversations([...items, ...keep]);
      });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('list.loadFailed', { reason: (e as Error).message }));
    } finally {
      if (seq === listSeq.current) setListLoading(false);
    }
  }, [toast, t, fetchCounts]);

  const markRead = useCallback((id: string) => {
    setConversations((prev) => prev.map((c) => (c.id === id && c.unread_count ? { ...c, unread_count: 0 } : c)));
    api(`/api/conversations/${encodeURIComponent(id)}/read`, { method: 'POST', body: {} }).catch(() => undefined);
  }, []);

  const loadMessages = useCallback(
    async (id: string) => {
      setMsgLoading(true);
      try {
        const r = await api<{ items: Message[] }>(`/api/conversations/${encodeURIComponent(id)}/messages?limit=50`);
        if (selectedRef.current !== id) return;
        setMessages((prev) => {
          // keep local bubbles the server does not know: sends it refused before storing them (pending ones come from the outbox)
          const known = new Set(r.items.map((m) => m.client_msg_id).filter(Boolean));
          const local = prev.filter((m) => m.conversation_id === id && isLocal(m) && !known.has(m.client_msg_id));
          return [...r.items, ...local];
        });
        markRead(id);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) toast.error(t('chat.loadFailed', { reason: (e as Error).message }));
      } finally {
        if (selectedRef.current === id) setMsgLoading(false);
      }
    },
    [markRead, toast, t],
  );

  const upsertConversation = useCallback((c: Conversation, incoming: boolean) => {
    setConversations((prev) => {
      const sel = selectedRef.current;
      const old = prev.find((x) => x.id === c.id);
      const { view: v, filters: f, team: tm } = viewRef.current;
      // left the tab (closed, taken by someone else, transferred…): gone, unless it is open in the chat
      if (!inView(c, v, me, tm, f) && c.id !== sel) return old ? prev.filter((x) => x.id !== c.id) : prev;
      let unread = c.unread_count;
      if (c.id === sel) unread = 0;
      else if (incoming) unread = Math.max(c.unread_count ?? 0, (old?.unread_count ?? 0) + 1);
      const merged = { ...c, unread_count: unread };
      return sortConversations(old ? prev.map((x) => (x.id === c.id ? merged : x)) : [merged, ...prev]);
    });
  }, [me]);

  const onMessageEvent = useCallback(
    (p: { message: Message; conversation?: Conversation }, created: boolean) => {
      const m = p.message;
      const incoming = created && m.direction === 'in';
      if (p.conversation) upsertConversation(p.conversation, incoming);
      if (m.conversation_id !== selectedRef.current) return;
      setMessages((prev) => upsertMessage(prev, m));
      if (m.direction === 'out' && m.status === 'failed') failToast(m, m.fail_reason ?? m.fail_code ?? t('chat.failed'));
      if (incoming) {
        if (readTimer.current) clearTimeout(readTimer.current);
        const id = m.conversation_id;
        readTimer.current = setTimeout(() => markRead(id), 400);
      }
    },
    [upsertConversation, failToast, markRead, t],
  );

  // the shell owns the one connection per session; its realtime client hands each event over once,
  // in order, filling what a dropped connection missed: only a resync (too far behind) reloads
  const handlersRef = useRef({ onMessageEvent, upsertConversation, loadList, loadMessages });
  handlersRef.current = { onMessageEvent, upsertConversation, loadList, loadMessages };
  useEffect(() => {
    const onResync = () => {
      void handlersRef.current.loadList();
      if (selectedRef.current) void handlersRef.current.loadMessages(selectedRef.current);
    };
    const onCreated = (p: { message: Message; conversation?: Conversation }) => handlersRef.current.onMessageEvent(p, true);
    const onUpdated = (p: { message: Message; conversation?: Conversation }) => handlersRef.current.onMessageEvent(p, false);
    const onConv = (p: { conversation: Conversation }) => handlersRef.current.upsertConversation(p.conversation, false);
    realtime.on('resync', onResync);
    realtime.on('message.created', onCreated);
    realtime.on('message.updated', onUpdated);
    realtime.on('conversation.updated', onConv);
    return () => {
      realtime.off('resync', onResync);
      realtime.off('message.created', onCreated);
      realtime.off('message.updated', onUpdated);
      realtime.off('conversation.updated', onConv);
    };
  }, [realtime]);

  useEffect(() => {
    setListLoading(true);
    setConversations((prev) => prev.filter((c) => c.id === selectedRef.current));
    void loadList();
  }, [loadList, view, filters]);

  // team membership (the team tab's live rule)
  useEffect(() => {
    api<{ items: Agent[] }>('/api/agents').then((r) => setAgents(r.items), () => undefined);
  }, []);

  // tab counts change with a conversation's status, assignee or unread count (conversation.updated)
  // and with a customer's message (unread + 1); replies and delivery updates leave them alone
  useEffect(() => {
    const onMessage = (p: { message: Message }) => {
      if (p.message.direction === 'in') loadCounts();
    };
    realtime.on('conversation.updated', loadCounts);
    realtime.on('message.created', onMessage);
    return () => {
      realtime.off('conversation.updated', loadCounts);
      realtime.off('message.created', onMessage);
      if (countsTimer.current) clearTimeout(countsTimer.current);
    };
  }, [realtime, loadCounts]);

  const setView = useCallback((v: View) => {
    localStorage.setItem(VIEW_KEY, v);
    setViewState(v);
  }, []);

  const select = useCallback(
    (id: string) => {
      if (id === selectedRef.current) return;
      selectedRef.current = id;
      setSelectedId(id);
      setMessages([]);
      setSideOpen(false);
      // drop a previously selected conversation that has left the tab meanwhile
      const { view: v, filters: f, team: tm } = viewRef.current;
      setConversations((prev) => prev.filter((c) => c.id === id || inView(c, v, me, tm, f)));
      void loadMessages(id);
    },
    [loadMessages, me],
  );

  // a notification click elsewhere asks to open a conversation
  useEffect(() => onOpenRequest((id) => {
    if (selectedRef.current === id) return;
    void api<Conversation>(`/api/conversations/${encodeURIComponent(id)}`).then((c) => {
      setConversations((prev) => (prev.some((x) => x.id === c.id) ? prev : sortConversations([c, ...prev])));
      select(id);
    }, () => undefined);
  }), [select]);

  const typing = useTyping(realtime, selectedId);

  /** Replies go through the outbox: shown as pending at once, sent now or on reconnect, once. */
  const sendContent = useCallback(
    (content: MessageContent, conversationId: string) =>
      outbox.add({ client_msg_id: uuid(), conversation_id: conversationId, sender_id: session.user?.id ?? null, content, created_at: new Date().toISOString() }),
    [outbox, session.user],
  );
  // the stored message replaces the pending bubble; a refusal shows its reason
  useEffect(
    () =>
      outbox.onSettled(({ kind, message: m }) => {
        if (selectedRef.current === m.conversation_id) setMessages((prev) => upsertMessage(prev, m));
        if (kind === 'failed') failToast(m, m.fail_reason ?? m.fail_code ?? t('chat.failed'));
      }),
    [outbox, failToast, t],
  );
  const waiting = useOutboxItems(outbox);
  const shown = useMemo(() => {
    const own = waiting.filter((i) => i.conversation_id === selectedId && !messages.some((m) => m.client_msg_id === i.client_msg_id));
    return own.length ? [...messages, ...own.map(pendingMessage)] : messages;
  }, [messages, waiting, selectedId]);

  const onSend = useCallback((text: string) => selectedId && void sendContent({ type: 'text', text }, selectedId), [selectedId, sendContent]);
  /** uploads the picture to kefu's media store, then sends it as an image message */
  const onSendImage = useCallback(
    async (file: File) => {
      const conversationId = selectedId;
      if (!conversationId) return;
      try {
        const ref = await upload<{ media_id: string; mime: string; size: number; filename?: string }>('/api/media', file);
        await sendContent({ type: 'image', media: { media_id: ref.media_id, mime: ref.mime, size: ref.size, filename: ref.filename } }, conversationId);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) toast.error(t('chat.uploadFailed', { reason: (e as Error).message }));
      }
    },
    [selectedId, sendContent, toast, t],
  );
  const onRetry = useCallback(
    (m: Message) => {
      if (m.content.type !== 'text' && !(m.content.type === 'image' && m.content.media.media_id)) return;
      if (isLocal(m)) setMessages((prev) => prev.filter((x) => x.id !== m.id));
      void sendContent(m.content, m.conversation_id);
    },
    [sendContent],
  );

  const onClose = useCallback(async () => {
    if (!selectedId) return;
    setClosing(true);
    try {
      const r = await api<{ conversation?: Conversation }>(`/api/conversations/${encodeURIComponent(selectedId)}/close`, { method: 'POST', body: {} });
      const c = r?.conversation;
      setConversations((prev) =>
        prev.map((x) => (x.id === selectedId ? { ...(c ?? x), status: 'closed', closed_at: c?.closed_at ?? new Date().toISOString(), unread_count: 0 } : x)),
      );
      toast.success(t('chat.closeOk'));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('chat.closeFailed', { reason: (e as Error).message }));
    } finally {
      setClosing(false);
    }
  }, [selectedId, toast, t]);

  // the nav badge: unread customer messages in the broadest tab the user has, whichever tab is open
  const totalUnread = counts[manager ? 'all' : 'team']?.unread ?? 0;
  useEffect(() => onUnread?.(totalUnread), [totalUnread, onUnread]);

  const list = (
    <ConversationList
      items={conversations}
      loading={listLoading}
      selectedId={selectedId}
      onSelect={select}
      tick={tick}
      view={view}
      views={views}
      counts={counts}
      onView={setView}
      filters={filters}
      onFilters={setFilters}
    />
  );
  const side = selected ? <SidePanel key={selected.id} conversation={selected} socket={realtime} onBack={mobile ? () => setSideOpen(false) : undefined} /> : null;
  const chat = selected ? (
    <ChatPanel
      conversation={selected}
      messages={shown}
      loading={msgLoading}
      closing={closing}
      onSend={onSend}
      onSendImage={onSendImage}
      onRetry={onRetry}
      onClose={onClose}
      onBack={mobile ? () => { selectedRef.current = null; setSelectedId(null); } : undefined}
      typing={typing}
      actions={
        <>
          <TransferButton conversation={selected} me={me} compact={mobile} />
          {manager ? <TakeOverButton conversation={selected} me={me} compact={mobile} /> : null}
          {!wide ? (
            <Tooltip title={t('ws.side.open')}>
              <Button icon={<IdcardOutlined />} onClick={() => setSideOpen(true)} data-testid="open-side" aria-label={t('ws.side.open')} />
            </Tooltip>
          ) : null}
        </>
      }
    />
  ) : (
    <div className="chat-empty">
      <Empty image={<MessageOutlined style={{ fontSize: 56, color: '#d0d7e2' }} />} description={t('chat.empty')} />
    </div>
  );

  // phone: list → chat → customer panel, each a full screen with a back button
  if (mobile) return selected ? (sideOpen ? side : chat) : list;
  return (
    <div className="ws-split">
      <div className="ws-list-pane">{list}</div>
      <div className="ws-chat-pane">{chat}</div>
      {wide ? (
        side ? <div className="ws-side-pane">{side}</div> : null
      ) : (
        <Drawer open={sideOpen && !!side} onClose={() => setSideOpen(false)} width={380} title={null} closable={false} styles={{ body: { padding: 0 } }}>
          {side}
        </Drawer>
      )}
    </div>
  );
}
