import { useEffect, useState } from 'react';
import { Button, Tag, Tooltip, Typography } from 'antd';
import { BulbOutlined, SettingOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import QuickReplyEditor, { type QuickReply } from './QuickReplyEditor';
type Suggestion = { faq_id: string; question: string; score: number; text: string };

/**
 * Helps the agent write: quick replies on F1–F12 (the keys work anywhere in the chat) and
 * knowledge suggestions for the customer's latest question (click, or Alt+1…3).
 */
export default function ReplyAssist({ conversationId, lastInboundId, disabled, onInsert }: {
  conversationId: string;
  /** id of the customer's latest message: suggestions refresh when it changes */
  lastInboundId: string | null;
  disabled: boolean;
  onInsert: (text: string) => void;
}) {
  const { t } = useTranslation();
  const [replies, setReplies] = useState<QuickReply[]>([]);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [editing, setEditing] = useState(false);

  const loadReplies = () => api<{ items: QuickReply[] }>('/api/quick-replies').then((r) => setReplies(r.items), () => setReplies([]));
  useEffect(() => void loadReplies(), []);

  useEffect(() => {
    const ctl = new AbortController();
    if (!lastInboundId) return setSuggestions([]);
    api<{ items: Suggestion[] }>(`/api/conversations/${conversationId}/suggestions`, { signal: ctl.signal }).then(
      (r) => setSuggestions(r.items),
      () => undefined,
    );
    return () => ctl.abort();
  }, [conversationId, lastInboundId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (disabled) return;
      const quick = /^F([1-9]|1[0-2])$/.test(e.key) ? replies.find((r) => r.hotkey === e.key) : undefined;
      const suggestion = e.altKey && /^[1-3]$/.test(e.key) ? suggestions[Number(e.key) - 1] : undefined;
      const text = quick?.text ?? suggestion?.text;
      if (!text) return;
      e.preventDefault();
      onInsert(text);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [replies, suggestions, disabled, onInsert]);

  return (
    <div className="reply-assist" data-testid="reply-assist">
      {suggestions.length ? (
        <div className="reply-assist-row" data-testid="suggestions">
          <Typography.Text type="secondary" className="reply-assist-label">
            <BulbOutlined /> {t('assist.suggestions')}
          </Typography.Text>
          {suggestions.map((s, i) => (
            <Tooltip key={s.faq_id} title={<div style={{ whiteSpace: 'pre-wrap' }}>{s.text}</div>} placement="top">
              <Tag className="reply-assist-tag" color="purple" onClick={() => !disabled && onInsert(s.text)} data-testid="suggestion">
                Alt+{i + 1} · {s.question}
              </Tag>
            </Tooltip>
          ))}
        </div>
      ) : null}
      <div className="reply-assist-row" data-testid="quick-replies">
        <Typography.Text type="secondary" className="reply-assist-label">
          <ThunderboltOutlined /> {t('assist.quickReplies')}
          <Tooltip title={t('assist.editQuick')}>
            <Button type="text" size="small" icon={<SettingOutlined />} onClick={() => setEditing(true)} aria-label={t('assist.editQuick')} data-testid="quick-settings" />
          </Tooltip>
        </Typography.Text>
        {replies.map((r) => (
          <Tooltip key={r.hotkey} title={<div style={{ whiteSpace: 'pre-wrap' }}>{r.text}</div>}>
            <Tag className="reply-assist-tag" onClick={() => !disabled && onInsert(r.text)} data-testid="quick-reply" data-hotkey={r.hotkey}>
              <b>{r.hotkey}</b> {r.title}
            </Tag>
          </Tooltip>
        ))}
      </div>
      <QuickReplyEditor open={editing} onClose={() => setEditing(false)} onChanged={() => void loadReplies()} />
    </div>
  );
}
