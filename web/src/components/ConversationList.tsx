import { useMemo, useState } from 'react';
import { Badge, Empty, Input, Spin, Typography } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { isUrgent, type Conversation } from '../types';
import { ChannelTag, CustomerAvatar, PriorityTags, StatusTag, TierTag } from './tags';

type Props = {
  items: Conversation[];
  loading: boolean;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** changes every 30 s so relative times re-render */
  tick: number;
};

function relTime(iso: string): string {
  const d = dayjs(iso);
  if (!d.isValid()) return '';
  const diff = dayjs().diff(d, 'second');
  if (diff < 45) return d.fromNow();
  if (d.isSame(dayjs(), 'day')) return d.format('HH:mm');
  if (d.isSame(dayjs().subtract(1, 'day'), 'day')) return `${d.fromNow()}`;
  return d.isSame(dayjs(), 'year') ? d.format('MM-DD') : d.format('YYYY-MM-DD');
}

export default function ConversationList({ items, loading, selectedId, onSelect, tick }: Props) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const shown = useMemo(() => {
    const s = q.trim().toLowerCase();
    if (!s) return items;
    return items.filter(
      (c) => c.customer.display_name.toLowerCase().includes(s) || (c.last_message_preview ?? '').toLowerCase().includes(s),
    );
  }, [items, q]);
  void tick;

  return (
    <div className="conv-list">
      <div className="conv-list-head">
        <Typography.Text strong>
          {t('list.title')} <span className="conv-count">{items.length}</span>
        </Typography.Text>
        <Input
          size="small"
          allowClear
          prefix={<SearchOutlined style={{ color: '#bbb' }} />}
          placeholder={t('list.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          style={{ marginTop: 8 }}
        />
      </div>
      <div className="conv-list-body" data-testid="conversation-list">
        {loading && items.length === 0 ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : shown.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('list.empty')} style={{ marginTop: 48 }} />
        ) : (
          shown.map((c) => (
            <div
              key={c.id}
              className={`conv-item${c.id === selectedId ? ' conv-item-active' : ''}${isUrgent(c) ? ' conv-item-urgent' : ''}`}
              data-testid="conversation-item"
              data-priority={c.priority ?? 0}
              data-conversation-id={c.id}
              data-unread={c.unread_count}
              onClick={() => onSelect(c.id)}
              role="button"
              tabIndex={0}
              onKeyDown={(e) => {
                if (e.key === 'Enter') onSelect(c.id);
              }}
            >
              <Badge count={c.id === selectedId ? 0 : c.unread_count} size="small" offset={[-4, 4]}>
                <CustomerAvatar c={c.customer} />
              </Badge>
              <div className="conv-main">
                <div className="conv-row">
                  <span className="conv-name" title={c.customer.display_name}>
                    {c.customer.display_name}
                  </span>
                  <span className="conv-time">{relTime(c.last_message_at)}</span>
                </div>
                <div className="conv-preview" title={c.last_message_preview ?? ''}>
                  {c.last_message_preview ?? '\u00a0'}
                </div>
                <div className="conv-tags">
                  <ChannelTag channel={c.channel} />
                  <StatusTag status={c.status} />
                  <PriorityTags c={c} />
                  <TierTag tier={c.customer.tier} />
                </div>
              </div>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
