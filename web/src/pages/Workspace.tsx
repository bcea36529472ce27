import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Badge, Button, Empty, Grid, Layout, Menu, Space, Tooltip } from 'antd';
import { CustomerServiceFilled, GlobalOutlined, LogoutOutlined, MessageOutlined, UserOutlined } from '@ant-design/icons';
import { io, type Socket } from 'socket.io-client';
import { useTranslation } from 'react-i18next';
import { api, ApiError, uuid } from '../api';
import type { Session } from '../App';
import type { ApiErrorBody, Conversation, Message } from '../types';
import ConversationList from '../components/ConversationList';
import ChatPanel from '../components/ChatPanel';

type Props = { session: Session; onLogout: () => void; onSwitchLang: () => void };
type ConnState = 'connecting' | 'connected' | 'reconnecting';

const STATUS_RANK: Record<Message['status'], number> = { pending: 0, received: 1, sent: 1, failed: 1 };

function sortConversations(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => (a.last_message_at < b.last_message_at ? 1 : a.last_message_at > b.last_message_at ? -1 : 0));
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

export default function WorkspacePage({ session, onLogout, onSwitchLang }: Props) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const screens = Grid.useBreakpoint();
  const mobile = screens.md === false;

  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [listLoading, setListLoading] = useState(true);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [msgLoading, setMsgLoading] = useState(false);
  const [closing, setClosing] = useState(false);
  const [conn, setConn] = useState<ConnState>('connecting');
  const [tick, setTick] = useState(0);

  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
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

  const loadList = useCallback(async () => {
    try {
      const r = await api<{ items: Conversation[] }>('/api/conversations?status=open');
      const sel = selectedRef.current;
      setConversations((prev) => {
        const items = r.items.map((c) => (c.id === sel ? { ...c, unread_count: 0 } : c));
        // keep the open conversation visible even if it left the "open" set (e.g. just closed)
        const keep = sel && !items.some((c) => c.id === sel) ? prev.filter((c) => c.id === sel) : [];
        return sortConversations([...items, ...keep]);
      });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('list.loadFailed', { reason: (e as Error).message }));
    } finally {
      setListLoading(false);
    }
  }, [toast, t]);

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
          // keep local bubbles the server does not know (yet): pending sends and network failures
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
      if (c.status === 'closed' && c.id !== sel) return prev.filter((x) => x.id !== c.id);
      let unread = c.unread_count;
      if (c.id === sel) unread = 0;
      else if (incoming) unread = Math.max(c.unread_count ?? 0, (old?.unread_count ?? 0) + 1);
      const merged = { ...c, unread_count: unread };
      return sortConversations(old ? prev.map((x) => (x.id === c.id ? merged : x)) : [merged, ...prev]);
    });
  }, []);

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

  // socket.io: one connection per session
  const handlersRef = useRef({ onMessageEvent, upsertConversation, loadList, loadMessages });
  handlersRef.current = { onMessageEvent, upsertConversation, loadList, loadMessages };
  useEffect(() => {
    const socket: Socket = io('/agent', { auth: { token: session.token }, transports: ['websocket', 'polling'] });
    let connectedBefore = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    socket.on('connect', () => {
      setConn('connected');
      if (connectedBefore) {
        void handlersRef.current.loadList();
        if (selectedRef.current) void handlersRef.current.loadMessages(selectedRef.current);
      }
      connectedBefore = true;
    });
    socket.on('disconnect', (reason) => {
      setConn('reconnecting');
      // a server-side disconnect is not retried by socket.io itself
      if (reason === 'io server disconnect') {
        if (retry) clearTimeout(retry);
        retry = setTimeout(() => socket.connect(), 2000);
      }
    });
    socket.on('connect_error', () => {
      setConn(connectedBefore ? 'reconnecting' : 'connecting');
      // a middleware rejection stops automatic reconnection: retry ourselves
      if (!socket.active) {
        if (retry) clearTimeout(retry);
        retry = setTimeout(() => socket.connect(), 3000);
      }
    });
    socket.io.on('reconnect_attempt', () => setConn('reconnecting'));
    socket.on('message.created', (p: { message: Message; conversation?: Conversation }) => handlersRef.current.onMessageEvent(p, true));
    socket.on('message.updated', (p: { message: Message; conversation?: Conversation }) => handlersRef.current.onMessageEvent(p, false));
    socket.on('conversation.updated', (p: { conversation: Conversation }) => handlersRef.current.upsertConversation(p.conversation, false));
    return () => {
      if (retry) clearTimeout(retry);
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
    };
  }, [session.token]);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  const select = useCallback(
    (id: string) => {
      if (id === selectedRef.current) return;
      selectedRef.current = id;
      setSelectedId(id);
      setMessages([]);
      // drop a previously selected conversation that has been closed meanwhile
      setConversations((prev) => prev.filter((c) => c.status !== 'closed' || c.id === id));
      void loadMessages(id);
    },
    [loadMessages],
  );

  const sendText = useCallback(
    async (text: string, conversationId: string) => {
      const cid = uuid();
      const local: Message = {
        id: `local-${cid}`,
        conversation_id: conversationId,
        direction: 'out',
        sender_type: 'agent',
        sender_id: session.user?.id ?? null,
        content: { type: 'text', text },
        status: 'pending',
        fail_code: null,
        fail_reason: null,
        client_msg_id: cid,
        created_at: new Date().toISOString(),
      };
      setMessages((prev) => [...prev, local]);
      try {
        const r = await api<{ message: Message }>(`/api/conversations/${encodeURIComponent(conversationId)}/messages`, {
          body: { text, client_msg_id: cid },
        });
        if (selectedRef.current === conversationId) setMessages((prev) => upsertMessage(prev, r.message));
      } catch (e) {
        const err = e as ApiError;
        const body = err.body as ApiErrorBody | null;
        const failed: Message =
          body && typeof body === 'object' && body.message
            ? body.message
            : {
                ...local,
                status: 'failed',
                fail_code: err.code ?? 'network_error',
                fail_reason: err.status === 0 ? t('chat.networkError') : err.message,
              };
        if (selectedRef.current === conversationId) setMessages((prev) => upsertMessage(prev, failed));
        failToast(failed, failed.fail_reason ?? body?.error?.message ?? err.message);
      }
    },
    [session.user, failToast, t],
  );

  const onSend = useCallback((text: string) => selectedId && void sendText(text, selectedId), [selectedId, sendText]);
  const onRetry = useCallback(
    (m: Message) => {
      if (m.content.type !== 'text') return;
      if (isLocal(m)) setMessages((prev) => prev.filter((x) => x.id !== m.id));
      void sendText(m.content.text, m.conversation_id);
    },
    [sendText],
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

  const totalUnread = conversations.reduce((n, c) => n + (c.id === selectedId ? 0 : c.unread_count), 0);
  const user = session.user;

  const connBadge = (
    <Tooltip title={conn === 'connected' ? 'Socket.IO /agent' : undefined}>
      <span className={`conn conn-${conn}`} data-testid="connection-status" data-state={conn}>
        <Badge status={conn === 'connected' ? 'success' : conn === 'reconnecting' ? 'warning' : 'processing'} />
        {!mobile || conn !== 'connected' ? t(`conn.${conn}`) : null}
      </span>
    </Tooltip>
  );

  const list = <ConversationList items={conversations} loading={listLoading} selectedId={selectedId} onSelect={select} tick={tick} />;
  const chat = selected ? (
    <ChatPanel
      conversation={selected}
      messages={messages}
      loading={msgLoading}
      closing={closing}
      onSend={onSend}
      onRetry={onRetry}
      onClose={onClose}
      onBack={mobile ? () => { selectedRef.current = null; setSelectedId(null); } : undefined}
    />
  ) : (
    <div className="chat-empty">
      <Empty image={<MessageOutlined style={{ fontSize: 56, color: '#d0d7e2' }} />} description={t('chat.empty')} />
    </div>
  );

  return (
    <Layout className="ws-root">
      <Layout.Header className="ws-header">
        <Space size={10} className="ws-brand">
          <CustomerServiceFilled style={{ fontSize: 22, color: '#4096ff' }} />
          <span className="ws-brand-text">{mobile ? t('brandShort') : t('brand')}</span>
        </Space>
        <div style={{ flex: 1 }} />
        <Space size={mobile ? 4 : 12} className="ws-header-right">
          {connBadge}
          {!mobile ? (
            <span className="ws-user" data-testid="agent-name">
              <UserOutlined /> {user?.display_name ?? user?.username ?? ''}
            </span>
          ) : null}
          <Button type="text" size="small" className="ws-header-btn" icon={<GlobalOutlined />} onClick={onSwitchLang} data-testid="lang-switch">
            {t('header.switchLang')}
          </Button>
          <Tooltip title={t('header.logout')}>
            <Button type="text" size="small" className="ws-header-btn" icon={<LogoutOutlined />} onClick={onLogout} data-testid="logout">
              {mobile ? null : t('header.logout')}
            </Button>
          </Tooltip>
        </Space>
      </Layout.Header>
      <Layout>
        {!mobile ? (
          <Layout.Sider width={64} className="ws-sider" theme="dark">
            <Menu
              theme="dark"
              mode="inline"
              selectedKeys={['chat']}
              inlineIndent={0}
              items={[
                {
                  key: 'chat',
                  label: (
                    <Tooltip title={t('list.title')} placement="right">
                      <Badge count={totalUnread} size="small" offset={[6, -2]}>
                        <MessageOutlined style={{ fontSize: 20, color: '#fff' }} />
                      </Badge>
                    </Tooltip>
                  ),
                },
              ]}
              className="ws-nav"
            />
          </Layout.Sider>
        ) : null}
        <Layout.Content className="ws-content">
          {mobile ? (
            selected ? chat : list
          ) : (
            <div className="ws-split">
              <div className="ws-list-pane">{list}</div>
              <div className="ws-chat-pane">{chat}</div>
            </div>
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
