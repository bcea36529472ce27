import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Empty } from 'antd';
import { MessageOutlined } from '@ant-design/icons';
import type { Socket } from 'socket.io-client';
import { useTranslation } from 'react-i18next';
import { api, ApiError, upload, uuid } from '../api';
import type { Session } from '../App';
import { isUrgent, type ApiErrorBody, type Conversation, type Message, type MessageContent } from '../types';
import ConversationList from '../components/ConversationList';
import ChatPanel from '../components/ChatPanel';

type Props = { session: Session; socket: Socket; mobile: boolean; onUnread?: (n: number) => void };

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

export default function WorkspacePage({ session, socket, mobile, onUnread }: Props) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();

  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [listLoading, setListLoading] = useState(true);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [msgLoading, setMsgLoading] = useState(false);
  const [closing, setClosing] = useState(false);
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

  // socket.io: the shell owns the one connection per session; the workspace listens on it
  const handlersRef = useRef({ onMessageEvent, upsertConversation, loadList, loadMessages });
  handlersRef.current = { onMessageEvent, upsertConversation, loadList, loadMessages };
  useEffect(() => {
    let connectedBefore = socket.connected;
    const onConnect = () => {
      if (connectedBefore) {
        void handlersRef.current.loadList();
        if (selectedRef.current) void handlersRef.current.loadMessages(selectedRef.current);
      }
      connectedBefore = true;
    };
    const onCreated = (p: { message: Message; conversation?: Conversation }) => handlersRef.current.onMessageEvent(p, true);
    const onUpdated = (p: { message: Message; conversation?: Conversation }) => handlersRef.current.onMessageEvent(p, false);
    const onConv = (p: { conversation: Conversation }) => handlersRef.current.upsertConversation(p.conversation, false);
    socket.on('connect', onConnect);
    socket.on('message.created', onCreated);
    socket.on('message.updated', onUpdated);
    socket.on('conversation.updated', onConv);
    return () => {
      socket.off('connect', onConnect);
      socket.off('message.created', onCreated);
      socket.off('message.updated', onUpdated);
      socket.off('conversation.updated', onConv);
    };
  }, [socket]);

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

  const sendContent = useCallback(
    async (content: MessageContent, conversationId: string) => {
      const cid = uuid();
      const local: Message = {
        id: `local-${cid}`,
        conversation_id: conversationId,
        direction: 'out',
        sender_type: 'agent',
        sender_id: session.user?.id ?? null,
        content,
        status: 'pending',
        fail_code: null,
        fail_reason: null,
        client_msg_id: cid,
        created_at: new Date().toISOString(),
      };
      setMessages((prev) => [...prev, local]);
      try {
        const r = await api<{ message: Message }>(`/api/conversations/${encodeURIComponent(conversationId)}/messages`, {
          body:
            content.type === 'text'
              ? { text: content.text, client_msg_id: cid }
              : content.type === 'image'
                ? { content: { type: 'image', media: { media_id: content.media.media_id } }, client_msg_id: cid }
                : { content, client_msg_id: cid },
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

  const totalUnread = conversations.reduce((n, c) => n + (c.id === selectedId ? 0 : c.unread_count), 0);
  useEffect(() => onUnread?.(totalUnread), [totalUnread, onUnread]);

  const list = <ConversationList items={conversations} loading={listLoading} selectedId={selectedId} onSelect={select} tick={tick} />;
  const chat = selected ? (
    <ChatPanel
      conversation={selected}
      messages={messages}
      loading={msgLoading}
      closing={closing}
      onSend={onSend}
      onSendImage={onSendImage}
      onRetry={onRetry}
      onClose={onClose}
      onBack={mobile ? () => { selectedRef.current = null; setSelectedId(null); } : undefined}
    />
  ) : (
    <div className="chat-empty">
      <Empty image={<MessageOutlined style={{ fontSize: 56, color: '#d0d7e2' }} />} description={t('chat.empty')} />
    </div>
  );

  return mobile ? (
    selected ? chat : list
  ) : (
    <div className="ws-split">
      <div className="ws-list-pane">{list}</div>
      <div className="ws-chat-pane">{chat}</div>
    </div>
  );
}
