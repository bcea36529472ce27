import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Descriptions, Empty, Input, Select, Spin, Statistic, Tag, Typography } from 'antd';
import { CarOutlined, FileTextOutlined, ShoppingOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg } from '../api';
import { navigate } from '../router';
import { ChannelTag, CustomerAvatar, TierTag } from '../components/tags';
import { TicketStatusTag } from '../tickets/common';
import type { TicketStatus } from '../tickets/types';
import type { Conversation } from '../types';
import type { Customer360, CustomerIdentity, LiveEvents } from './types';
import HistoryModal from './HistoryModal';

const TAG_SUGGESTIONS = ['回头客', '敏感肌', '价格敏感', '大客户', '投诉过', '需回访'];
const yuan = (n: number) => `¥${n.toLocaleString('zh-CN', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;

function IdentityRows({ i }: { i: CustomerIdentity }) {
  const { t } = useTranslation();
  const p = i.profile ?? {};
  const gender = typeof p.gender === 'number' ? t(`ws.c360.gender.${p.gender}`, { defaultValue: '' }) : '';
  return (
    <Descriptions
      size="small"
      column={1}
      colon={false}
      className="c360-ident"
      title={<ChannelTag channel={i.channel === 'wecom_kf' ? 'wecom_kf' : 'web'} />}
      items={[
        ...(typeof p.nickname === 'string' ? [{ key: 'nick', label: t('ws.c360.nickname'), children: p.nickname }] : []),
        ...(gender ? [{ key: 'gender', label: t('ws.c360.genderLabel'), children: gender }] : []),
        ...(typeof p.unionid === 'string' ? [{ key: 'union', label: 'UnionID', children: <Typography.Text copyable ellipsis>{p.unionid}</Typography.Text> }] : []),
        {
          key: 'ext',
          label: i.channel === 'wecom_kf' ? 'external_userid' : t('ws.c360.visitorId'),
          children: <Typography.Text copyable ellipsis style={{ maxWidth: 180 }}>{i.external_id}</Typography.Text>,
        },
      ]}
    />
  );
}

/**
 * Customer 360: who the customer is (WeChat profile, channel identities, tier), editable tags
 * and note, CRM orders / contracts / devices, conversations on every channel, and tickets.
 */
export default function CustomerPanel({ conversation, socket }: { conversation: Conversation; socket: LiveEvents }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const customerId = conversation.customer.id;
  const [data, setData] = useState<Customer360 | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [savingNote, setSavingNote] = useState(false);
  const [history, setHistory] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api<Customer360>(`/api/customers/${encodeURIComponent(customerId)}/overview`);
      setData(r);
      setError(null);
      return r;
    } catch (e) {
      setError(errMsg(e));
      return null;
    }
  }, [customerId]);

  useEffect(() => {
    setData(null);
    void load().then((r) => setNote(r?.customer.note ?? ''));
  }, [load]);

  // a ticket created or changed for this customer (e.g. from this chat) shows up at once
  useEffect(() => {
    const on = (p: { ticket?: { customer?: { id: string } | null } }) => {
      if (p.ticket?.customer?.id === customerId) void load();
    };
    socket.on('ticket.updated', on);
    return () => {
      socket.off('ticket.updated', on);
    };
  }, [socket, customerId, load]);

  const patch = async (body: { tags?: string[]; note?: string | null; region?: string | null }) => {
    const r = await api<Customer360['customer']>(`/api/customers/${encodeURIComponent(customerId)}`, { method: 'PATCH', body });
    setData((d) => (d ? { ...d, customer: r } : d));
    return r;
  };
  /** tags and region save at once, shown before the answer (reloaded if it fails) */
  const saveField = async (body: { tags: string[] } | { region: string | null }) => {
    setData((d) => (d ? { ...d, customer: { ...d.customer, ...body } } : d));
    try {
      await patch(body);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('ws.c360.saveFailed', { reason: errMsg(e) }));
      void load();
    }
  };
  const saveNote = async () => {
    setSavingNote(true);
    try {
      await patch({ note: note.trim() || null });
      toast.success(t('ws.c360.noteSaved'));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('ws.c360.saveFailed', { reason: errMsg(e) }));
    } finally {
      setSavingNote(false);
    }
  };

  if (error && !data) return <Alert type="error" showIcon message={error} style={{ margin: 12 }} />;
  if (!data) return <div className="center-pad"><Spin /></div>;
  const { customer: c, crm } = data;
  const spent = crm.orders.reduce((s, o) => s + o.amount, 0);
  const others = data.conversations.filter((x) => x.id !== conversation.id);

  return (
    <div className="c360" data-testid="customer-panel" data-customer-id={c.id}>
      <div className="side-section c360-head">
        <CustomerAvatar c={c} size={48} />
        <div style={{ minWidth: 0 }}>
          <div className="c360-name">
            {c.display_name} <TierTag tier={c.tier} />
          </div>
          <div className="side-muted">{t('ws.c360.since', { date: dayjs(c.created_at).format('YYYY-MM-DD') })}</div>
        </div>
      </div>
      <div className="side-section">
        {c.identities.map((i) => (
          <IdentityRows key={`${i.channel}:${i.external_id}`} i={i} />
        ))}
      </div>
      <div className="side-section">
        <div className="side-title">{t('ws.c360.tags')}</div>
        <div data-testid="customer-tags">
          <Select
            mode="tags"
            style={{ width: '100%' }}
            value={c.tags}
            onChange={(v: string[]) => void saveField({ tags: v.map((x) => x.trim()).filter(Boolean) })}
            options={TAG_SUGGESTIONS.map((x) => ({ value: x, label: x }))}
            placeholder={t('ws.c360.tagsPlaceholder')}
            tokenSeparators={[',', '，']}
            maxTagTextLength={16}
          />
        </div>
        <div className="side-title" style={{ marginTop: 12 }}>
          {t('ws.c360.region')}
        </div>
        <Input
          key={c.region ?? ''}
          defaultValue={c.region ?? ''}
          maxLength={32}
          placeholder={t('ws.c360.regionPlaceholder')}
          onBlur={(e) => e.target.value.trim() !== (c.region ?? '') && void saveField({ region: e.target.value.trim() || null })}
          onPressEnter={(e) => e.currentTarget.blur()}
          data-testid="customer-region"
        />
        <div className="side-title" style={{ marginTop: 12 }}>
          {t('ws.c360.note')}
        </div>
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} placeholder={t('ws.c360.notePlaceholder')} data-testid="customer-note" />
        <div style={{ textAlign: 'right', marginTop: 6 }}>
          <Button size="small" type="primary" ghost onClick={() => void saveNote()} loading={savingNote} disabled={note.trim() === (c.note ?? '')} data-testid="customer-note-save">
            {t('ws.c360.saveNote')}
          </Button>
        </div>
      </div>
      <div className="side-section">
        <div className="side-title">
          <ShoppingOutlined /> {t('ws.c360.orders')}
        </div>
        <div className="c360-stats">
          <Statistic title={t('ws.c360.orderCount')} value={crm.orders.length} />
          <Statistic title={t('ws.c360.spent')} value={spent} prefix="¥" precision={0} />
        </div>
        {crm.orders.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ws.c360.noOrders')} /> : null}
        {crm.orders.map((o) => (
          <div key={o.order_no} className="c360-card" data-testid="crm-order">
            <div className="c360-card-row">
              <Typography.Text copyable strong>{o.order_no}</Typography.Text>
              <Tag color={o.status === '已签收' ? 'green' : 'blue'} className="tag-compact">{o.status}</Tag>
            </div>
            {o.items.map((it, i) => (
              <div key={i} className="c360-line">
                {it.product} × {it.qty}
              </div>
            ))}
            <div className="c360-card-row side-muted">
              <span>{o.date}</span>
              <b className="c360-amount">{yuan(o.amount)}</b>
            </div>
            <div className="side-muted">
              <CarOutlined /> {o.logistics.carrier} {o.logistics.tracking_no}
            </div>
          </div>
        ))}
        {crm.contracts.map((k) => (
          <div key={k.contract_no} className="c360-card" data-testid="crm-contract">
            <div className="c360-card-row">
              <span>
                <FileTextOutlined /> {t('ws.c360.contract')} {k.contract_no}
              </span>
              <b className="c360-amount">{yuan(k.amount)}</b>
            </div>
            <div className="side-muted">
              {k.company} · {k.signed_at}
            </div>
          </div>
        ))}
        {crm.devices.map((d) => (
          <div key={d.sn} className="c360-card">
            <div className="c360-card-row">
              <span>{d.name}</span>
              <span className="side-muted">{d.model}</span>
            </div>
            <div className="side-muted">
              SN {d.sn} · {t('ws.c360.firmware')} {d.firmware}
            </div>
          </div>
        ))}
      </div>
      <div className="side-section">
        <div className="side-title">{t('ws.c360.history', { n: others.length })}</div>
        {others.length === 0 ? <Typography.Text type="secondary">{t('ws.c360.noHistory')}</Typography.Text> : null}
        {others.map((h) => (
          <div key={h.id} className="c360-hist" role="button" tabIndex={0} onClick={() => setHistory(h.id)} onKeyDown={(e) => e.key === 'Enter' && setHistory(h.id)} data-testid="c360-history-item">
            <div className="c360-card-row">
              <ChannelTag channel={h.channel} />
              <span className="side-muted">{dayjs(h.last_message_at).format('YYYY-MM-DD HH:mm')}</span>
            </div>
            <div className="c360-line">{h.last_message_preview ?? '—'}</div>
            {h.assignee_name ? <div className="side-muted">{t('ws.c360.servedBy', { name: h.assignee_name })}</div> : null}
          </div>
        ))}
      </div>
      <div className="side-section">
        <div className="side-title">{t('ws.c360.tickets', { n: data.tickets.length })}</div>
        {data.tickets.length === 0 ? <Typography.Text type="secondary">{t('ws.c360.noTickets')}</Typography.Text> : null}
        {data.tickets.map((k) => (
          <div key={k.id} className="c360-hist" role="button" tabIndex={0} onClick={() => navigate(`/tickets/${encodeURIComponent(k.id)}`)} onKeyDown={(e) => e.key === 'Enter' && navigate(`/tickets/${encodeURIComponent(k.id)}`)} data-testid="c360-ticket">
            <div className="c360-card-row">
              <span className="side-muted">{k.number}</span>
              <TicketStatusTag status={k.status as TicketStatus} />
            </div>
            <div className="c360-line">{k.title}</div>
          </div>
        ))}
      </div>
      <HistoryModal conversationId={history} customerName={c.display_name} onClose={() => setHistory(null)} />
    </div>
  );
}
