import { useState } from 'react';
import { App as AntApp, Button, Tooltip } from 'antd';
import { FileAddOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg } from '../api';
import { navigate } from '../router';
import type { Ticket } from './types';

/** 「创建工单」 in the chat header: a ticket prefilled from the conversation, then opened. */
export default function CreateTicketButton({ conversationId, compact }: { conversationId: string; compact?: boolean }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      const r = await api<Ticket>(`/api/conversations/${encodeURIComponent(conversationId)}/tickets`, { body: {} });
      toast.success(t('tickets.createOk', { number: r.number }));
      navigate(`/tickets/${encodeURIComponent(r.id)}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('tickets.createFailed', { reason: errMsg(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={compact ? t('tickets.create') : undefined}>
      <Button icon={<FileAddOutlined />} loading={busy} onClick={() => void create()} data-testid="create-ticket">
        {compact ? null : t('tickets.create')}
      </Button>
    </Tooltip>
  );
}
