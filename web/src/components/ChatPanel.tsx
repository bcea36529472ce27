import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { App as AntApp, Button, Empty, Input, Progress, Spin, Tooltip, Typography } from 'antd';
import { AlertOutlined, ArrowLeftOutlined, DownOutlined, PictureOutlined, PoweroffOutlined, RobotOutlined, SendOutlined, UpOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Conversation, Handoff, Message } from '../types';
import MessageView from './MessageView';
import ReplyAssist from './ReplyAssist';
import { ChannelTag, CustomerAvatar, PriorityTags, StatusTag, TierTag } from './tags';
import CreateTicketButton from '../tickets/CreateTicketButton';
import TypingIndicator from '../workspace/TypingIndicator';

const IMAGE_MAX = 10 * 1024 * 1024;

/** What the bot tells the agent when it hands over: why, a summary, and its best guess of the intent. */
function HandoffCard({ h }: { h: Handoff }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(true);
  const conf = h.intent ? Math.round(h.intent.confidence * 100) : 0;
  return (
    <div className={`handoff-card${h.urgent ? ' handoff-card-urgent' : ''}`} data-testid="handoff-card" data-reason={h.reason}>
      <div className="handoff-head" onClick={() => setOpen((x) => !x)} role="button" tabIndex={0}>
        {h.urgent ? <AlertOutlined style={{ color: '#cf1322' }} /> : <RobotOutlined style={{ color: '#722ed1' }} />}
        <span className="handoff-title">{t('handoff.title')}</span>
        <span className="handoff-reason" data-testid="handoff-reason">
          {h.reason_text || t(`handoff.reasons.${h.reason}`, { defaultValue: h.reason })}
        </span>
        <span className="handoff-time">{dayjs(h.at).isValid() ? dayjs(h.at).format('HH:mm') : ''}</span>
        {open ? <UpOutlined className="handoff-toggle" /> : <DownOutlined className="handoff-toggle" />}
      </div>
      {open ? (
        <div className="handoff-body">
          <div className="handoff-row">
            <span className="handoff-label">{t('handoff.reason')}</span>
            <span>{h.reason_text || h.reason}</span>
          </div>
          {h.summary ? (
            <div className="handoff-row">
              <span className="handoff-label">{t('handoff.summary')}</span>
              <span className="handoff-summary" data-testid="handoff-summary">
                {h.summary}
              </span>
            </div>
          ) : null}
          <div className="handoff-row">
            <span className="handoff-label">{t('handoff.intent')}</span>
            {h.intent ? (
              <span className="handoff-intent" data-testid="handoff-intent">
                <b>{h.intent.name}</b>
                <Progress percent={conf} size="small" style={{ width: 140, margin: 0 }} strokeColor={conf >= 70 ? '#52c41a' : conf >= 40 ? '#faad14' : '#ff7875'} />
              </span>
            ) : (
              <Typography.Text type="secondary">{t('handoff.noIntent')}</Typography.Text>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}

type Props = {
  conversation: Conversation;
  messages: Message[];
  loading: boolean;
  closing: boolean;
  onSend: (text: string) => void;
  onSendImage: (file: File) => Promise<void>;
  onRetry: (m: Message) => void;
  onClose: () => void;
  onBack?: () => void;
  /** more header buttons (transfer, the customer panel on small screens) */
  actions?: React.ReactNode;
  /** the customer is typing right now (website widget) */
  typing?: boolean;
};

export default function ChatPanel({ conversation: c, messages, loading, closing, onSend, onSendImage, onRetry, onClose, onBack, actions, typing }: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const { message: toast } = AntApp.useApp();
  const [uploading, setUploading] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickRef = useRef(true);
  const closed = c.status === 'closed';

  // keep the view pinned to the bottom unless the agent scrolled up
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stickRef.current) el.scrollTop = el.scrollHeight;
  }, [messages]);
  useEffect(() => {
    stickRef.current = true;
    setDraft('');
  }, [c.id]);

  const send = () => {
    const text = draft.trim();
    if (!text || closed) return;
    stickRef.current = true;
    onSend(text);
    setDraft('');
  };

  const insert = useCallback((text: string) => setDraft((d) => (d.trim() ? `${d}\n${text}` : text)), []);

  const pickImage = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file || closed) return;
    if (!file.type.startsWith('image/')) return void toast.warning(t('chat.imageOnly'));
    if (file.size > IMAGE_MAX) return void toast.warning(t('chat.imageTooLarge'));
    stickRef.current = true;
    setUploading(true);
    try {
      await onSendImage(file);
    } finally {
      setUploading(false);
    }
  };

  return (
    <div className="chat" data-testid="chat-panel" data-conversation-id={c.id}>
      <div className="chat-head">
        {onBack ? <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label={t('chat.back')} data-testid="chat-back" /> : null}
        <CustomerAvatar c={c.customer} size={36} />
        <div className="chat-head-main">
          <div className="chat-head-name" data-testid="chat-customer-name">
            {c.customer.display_name}
          </div>
          <div className="chat-head-tags">
            <ChannelTag channel={c.channel} />
            <StatusTag status={c.status} />
            <TierTag tier={c.customer.tier} />
            <PriorityTags c={c} />
          </div>
        </div>
        {actions}
        <CreateTicketButton conversationId={c.id} compact={!!onBack} />
        <Tooltip title={onBack ? (closed ? t('chat.closed') : t('chat.close')) : undefined}>
          <Button
            danger
            icon={<PoweroffOutlined />}
            onClick={onClose}
            loading={closing}
            disabled={closed}
            aria-label={closed ? t('chat.closed') : t('chat.close')}
            data-testid="close-conversation"
          >
            {/* the phone's header has room for icons only */}
            {onBack ? null : closed ? t('chat.closed') : t('chat.close')}
          </Button>
        </Tooltip>
      </div>
      {c.handoff ? <HandoffCard key={c.id + c.handoff.at} h={c.handoff} /> : null}
      <div
        className="chat-body"
        ref={scrollRef}
        data-testid="chat-messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          stickRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {loading && messages.length === 0 ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : messages.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chat.noMessages')} style={{ marginTop: 64 }} />
        ) : (
          messages.map((m) => <MessageView key={m.client_msg_id ?? m.id} message={m} customerName={c.customer.display_name} onRetry={onRetry} />)
        )}
        {typing ? <TypingIndicator name={c.customer.display_name} /> : null}
      </div>
      <ReplyAssist
        conversationId={c.id}
        lastInboundId={[...messages].reverse().find((m) => m.direction === 'in')?.id ?? null}
        disabled={closed}
        onInsert={insert}
      />
      <div className="chat-input">
        <Input.TextArea
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            }
          }}
          placeholder={closed ? t('chat.placeholderClosed') : t('chat.placeholder')}
          disabled={closed}
          autoSize={{ minRows: 2, maxRows: 6 }}
          variant="borderless"
          data-testid="reply-input"
        />
        <div className="chat-input-bar">
          <span className="chat-tools">
            <input ref={fileRef} type="file" accept="image/*" hidden onChange={pickImage} data-testid="image-input" />
            <Tooltip title={t('chat.imageHint')}>
              <Button
                type="text"
                size="small"
                icon={<PictureOutlined />}
                loading={uploading}
                disabled={closed}
                onClick={() => fileRef.current?.click()}
                data-testid="attach-image"
              >
                {t('chat.image')}
              </Button>
            </Tooltip>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              Enter ↵ / Shift+Enter
            </Typography.Text>
          </span>
          <Button type="primary" icon={<SendOutlined />} onClick={send} disabled={closed || !draft.trim()} data-testid="reply-send">
            {t('chat.send')}
          </Button>
        </div>
      </div>
    </div>
  );
}
