import { useEffect, useState } from 'react';
import { Alert, Modal, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import type { Message } from '../types';
import MessageView from '../components/MessageView';

/** A past conversation of the customer (any channel), read-only. */
export default function HistoryModal({ conversationId, customerName, onClose }: { conversationId: string | null; customerName: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!conversationId) return;
    let live = true;
    setMessages(null);
    setError(null);
    api<{ items: Message[] }>(`/api/conversations/${encodeURIComponent(conversationId)}/messages?limit=200`).then(
      (r) => live && setMessages(r.items),
      (e) => live && setError(errMsg(e)),
    );
    return () => {
      live = false;
    };
  }, [conversationId]);
  return (
    <Modal open={!!conversationId} onCancel={onClose} footer={null} title={t('ws.c360.historyTitle', { name: customerName })} width={640} destroyOnHidden>
      <div className="history-body" data-testid="history-messages">
        {error ? <Alert type="error" showIcon message={error} /> : !messages ? <div className="center-pad"><Spin /></div> : messages.map((m) => <MessageView key={m.id} message={m} customerName={customerName} />)}
      </div>
    </Modal>
  );
}
