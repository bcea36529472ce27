import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Button, Empty, Input, Spin, Typography } from 'antd';
import { ArrowLeftOutlined, PoweroffOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Conversation, Message } from '../types';
import MessageView from './MessageView';
import { ChannelTag, CustomerAvatar, StatusTag } from './tags';

type Props = {
  conversation: Conversation;
  messages: Message[];
  loading: boolean;
  closing: boolean;
  onSend: (text: string) => void;
  onRetry: (m: Message) => void;
  onClose: () => void;
  onBack?: () => void;
};

export default function ChatPanel({ conversation: c, messages, loading, closing, onSend, onRetry, onClose, onBack }: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
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
          </div>
        </div>
        <Button
          danger
          icon={<PoweroffOutlined />}
          onClick={onClose}
          loading={closing}
          disabled={closed}
          data-testid="close-conversation"
        >
          {closed ? t('chat.closed') : t('chat.close')}
        </Button>
      </div>
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
      </div>
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
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Enter ↵ / Shift+Enter
          </Typography.Text>
          <Button type="primary" icon={<SendOutlined />} onClick={send} disabled={closed || !draft.trim()} data-testid="reply-send">
            {t('chat.send')}
          </Button>
        </div>
      </div>
    </div>
  );
}
