import { useEffect, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Empty, Input, Spin } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg } from '../api';
import type { InternalNote, LiveEvents } from './types';

/**
 * Internal notes of the conversation: agents leave context for each other. Stored apart from
 * the messages (never sent to the customer); every agent's open page gets new ones live.
 */
export default function NotesPanel({ conversationId, socket, onCount }: { conversationId: string; socket: LiveEvents; onCount?: (n: number) => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [notes, setNotes] = useState<InternalNote[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    setNotes(null);
    setError(null);
    const add = (n: InternalNote) => setNotes((prev) => (prev && !prev.some((x) => x.id === n.id) ? [...prev, n] : prev));
    const onNote = (p: { note: InternalNote }) => {
      if (p.note.conversation_id === conversationId) add(p.note);
    };
    socket.on('note.created', onNote);
    api<{ items: InternalNote[] }>(`/api/conversations/${encodeURIComponent(conversationId)}/notes`).then(
      (r) => live && setNotes((prev) => [...r.items, ...(prev ?? []).filter((n) => !r.items.some((x) => x.id === n.id))]),
      (e) => live && setError(errMsg(e)),
    );
    return () => {
      live = false;
      socket.off('note.created', onNote);
    };
  }, [conversationId, socket]);

  useEffect(() => {
    if (notes) onCount?.(notes.length);
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [notes, onCount]);

  const save = async () => {
    const text = draft.trim();
    if (!text) return;
    setSaving(true);
    try {
      const r = await api<{ note: InternalNote }>(`/api/conversations/${encodeURIComponent(conversationId)}/notes`, { body: { text } });
      setNotes((prev) => (prev && !prev.some((x) => x.id === r.note.id) ? [...prev, r.note] : prev));
      setDraft('');
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('ws.notes.failed', { reason: errMsg(e) }));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="notes" data-testid="notes-panel">
      <div className="notes-hint">
        <LockOutlined /> {t('ws.notes.hint')}
      </div>
      <div className="notes-list" ref={listRef}>
        {error ? (
          <Alert type="error" showIcon message={error} />
        ) : !notes ? (
          <div className="center-pad"><Spin /></div>
        ) : notes.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ws.notes.empty')} />
        ) : (
          notes.map((n) => (
            <div key={n.id} className="note" data-testid="internal-note">
              <div className="note-meta">
                <b>{n.author.name}</b>
                <span className="side-muted">{dayjs(n.created_at).format('MM-DD HH:mm')}</span>
              </div>
              <div className="note-text">{n.text}</div>
            </div>
          ))
        )}
      </div>
      <div className="notes-input">
        <Input.TextArea
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder={t('ws.notes.placeholder')}
          autoSize={{ minRows: 2, maxRows: 5 }}
          maxLength={2000}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
          }}
          data-testid="note-input"
        />
        <Button type="primary" onClick={() => void save()} loading={saving} disabled={!draft.trim()} data-testid="note-save" block style={{ marginTop: 6 }}>
          {t('ws.notes.add')}
        </Button>
      </div>
    </div>
  );
}
