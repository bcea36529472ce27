import { useCallback, useEffect, useRef, useState } from 'react';
import { App as AntApp, Badge, Dropdown, Progress, Tooltip } from 'antd';
import { DownOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg } from '../api';
import type { Conversation } from '../types';
import { AGENT_STATUSES, type Agent, type AgentStatus as Status, type LiveEvents } from './types';
import { alertAssigned, unlockAlerts } from './assignmentAlert';
import { loadColor, STATUS_BADGE } from './status';
import './workspace.css';

/** load changes arrive as bursts of conversation events: one status read per burst */
const REFRESH_DEBOUNCE_MS = 300;

/**
 * The header's status switch (online / busy / away / offline) and capacity indicator
 * (load/capacity), kept live from the agent socket; a new assignment chimes and, with the
 * page in the background, shows a desktop notification.
 */
export default function AgentStatus({ socket, userId, mobile, onOpenConversation }: { socket: LiveEvents; userId: string | undefined; mobile: boolean; onOpenConversation?: (id: string) => void }) {
  const { t } = useTranslation();
  const { message: toast, notification } = AntApp.useApp();
  const [me, setMe] = useState<Agent | null>(null);
  const [saving, setSaving] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** my open conversations: my load changes only when one of them (or a new one for me) changes */
  const mine = useRef(new Set<string>());

  const read = useCallback(() => api<Agent>('/api/agents/me/status').then(setMe, () => undefined), []);
  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void read(), REFRESH_DEBOUNCE_MS);
  }, [read]);

  useEffect(() => {
    void read();
    api<{ items: Conversation[] }>('/api/conversations?view=mine&limit=200').then((r) => r.items.forEach((c) => mine.current.add(c.id)), () => undefined);
    // the first click anywhere lets the chime play later (browsers block audio before a gesture)
    const unlock = () => unlockAlerts(false);
    document.addEventListener('pointerdown', unlock, { once: true });
    return () => {
      document.removeEventListener('pointerdown', unlock);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [read]);

  const openRef = useRef(onOpenConversation);
  openRef.current = onOpenConversation;
  useEffect(() => {
    const onAssigned = (p: { conversation: Conversation }) => {
      refresh();
      const c = p.conversation;
      const text = { title: t('ws.assigned.title'), body: t('ws.assigned.body', { name: c.customer.display_name, preview: c.last_message_preview ?? '' }) };
      const open = () => openRef.current?.(c.id);
      // top right: the bottom is where the agent types (reply box, notes)
      if (!alertAssigned(c, text, open)) notification.info({ message: text.title, description: text.body, placement: 'topRight', onClick: open, key: `assigned-${c.id}` });
    };
    const onUpdated = ({ conversation: c }: { conversation: Conversation }) => {
      const involved = c.assignee_id === userId || mine.current.has(c.id);
      if (c.status === 'assigned' && c.assignee_id === userId) mine.current.add(c.id);
      else mine.current.delete(c.id);
      if (involved) refresh();
    };
    socket.on('conversation.assigned', onAssigned);
    socket.on('conversation.updated', onUpdated);
    return () => {
      socket.off('conversation.assigned', onAssigned);
      socket.off('conversation.updated', onUpdated);
    };
  }, [socket, userId, refresh, notification, t]);

  const setStatus = async (status: Status) => {
    // a click: the moment browsers let us ask for notifications and unlock sound
    unlockAlerts(true);
    setSaving(true);
    try {
      setMe(await api<Agent>('/api/agents/me/status', { method: 'PUT', body: { status } }));
      refresh();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('ws.status.failed', { reason: errMsg(e) }));
    } finally {
      setSaving(false);
    }
  };

  if (!me) return null;
  const pct = me.capacity ? Math.round((me.load / me.capacity) * 100) : 100;
  return (
    <span className="agent-status">
      <Dropdown
        trigger={['click']}
        disabled={saving}
        menu={{
          selectable: true,
          selectedKeys: [me.status],
          onClick: ({ key }) => void setStatus(key as Status),
          items: AGENT_STATUSES.map((s) => ({ key: s, label: <span data-testid={`status-option-${s}`}><Badge status={STATUS_BADGE[s]} text={t(`ws.status.${s}`)} /></span> })),
        }}
      >
        <button type="button" className="agent-status-btn" data-testid="agent-status" data-status={me.status} aria-label={t(`ws.status.${me.status}`)}>
          <Badge status={STATUS_BADGE[me.status]} />
          {/* the phone's header has room for the dot only */}
          {mobile ? null : <span>{t(`ws.status.${me.status}`)}</span>}
          {mobile ? null : <DownOutlined style={{ fontSize: 10 }} />}
        </button>
      </Dropdown>
      <Tooltip title={t('ws.capacity', { load: me.load, capacity: me.capacity })}>
        <span className="agent-capacity" data-testid="capacity" data-load={me.load} data-capacity={me.capacity}>
          {mobile ? null : <Progress type="circle" percent={pct} size={22} strokeWidth={12} showInfo={false} strokeColor={loadColor(pct)} trailColor="rgba(255,255,255,0.2)" />}
          <span className="agent-capacity-text">
            {me.load}/{me.capacity}
          </span>
        </span>
      </Tooltip>
    </span>
  );
}
