import { useEffect, useState } from 'react';
import { Badge, Empty, Input, Select, Spin, Tabs } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { isUrgent, type Conversation } from '../types';
import type { ListFilters, View, ViewCounts } from '../workspace/types';
import { waitingSince } from '../workspace/views';
import WaitTime from '../workspace/WaitTime';
import { TIERS } from '../training/types';
import '../workspace/workspace.css';
import { ChannelTag, CustomerAvatar, PriorityTags, StatusTag, TierTag } from './tags';

type Props = {
  items: Conversation[];
  loading: boolean;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** changes every 30 s so relative times re-render */
  tick: number;
  view: View;
  views: readonly View[];
  counts: ViewCounts;
  onView: (v: View) => void;
  filters: ListFilters;
  onFilters: (f: ListFilters) => void;
};

const SEARCH_DEBOUNCE_MS = 300;

function relTime(iso: string): string {
  const d = dayjs(iso);
  if (!d.isValid()) return '';
  const diff = dayjs().diff(d, 'second');
  if (diff < 45) return d.fromNow();
  if (d.isSame(dayjs(), 'day')) return d.format('HH:mm');
  if (d.isSame(dayjs().subtract(1, 'day'), 'day')) return `${d.fromNow()}`;
  return d.isSame(dayjs(), 'year') ? d.format('MM-DD') : d.format('YYYY-MM-DD');
}

/** Tabs (mine / queue / team / all) with counts, channel and tier filters, search, and the conversations. */
export default function ConversationList({ items, loading, selectedId, onSelect, tick, view, views, counts, onView, filters, onFilters }: Props) {
  const { t } = useTranslation();
  const [q, setQ] = useState(filters.q ?? '');
  void tick;

  // the server searches names and message text: ask once the agent pauses typing
  useEffect(() => {
    if ((filters.q ?? '') === q.trim()) return;
    const h = setTimeout(() => onFilters({ ...filters, q: q.trim() || undefined }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [q, filters, onFilters]);

  return (
    <div className="conv-list">
      <div className="conv-list-head">
        {/* the tabs say which conversations; the heading names the list for screen readers */}
        <h2 className="sr-only">{t('list.title')}</h2>
        <Tabs
          size="small"
          activeKey={view}
          onChange={(k) => onView(k as View)}
          className="conv-tabs"
          items={views.map((v) => ({
            key: v,
            label: (
              <span data-testid={`view-tab-${v}`} data-total={counts[v]?.total ?? 0} data-unread={counts[v]?.unread ?? 0}>
                {t(`ws.views.${v}`)}
                <span className="conv-count">{counts[v]?.total ?? 0}</span>
                <Badge count={counts[v]?.unread ?? 0} size="small" offset={[2, -8]} />
              </span>
            ),
          }))}
        />
        <Input
          size="small"
          allowClear
          prefix={<SearchOutlined style={{ color: '#bbb' }} />}
          placeholder={t('list.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          data-testid="conversation-search"
        />
        <div className="conv-filters">
          <Select
            size="small"
            allowClear
            placeholder={t('ws.filters.channel')}
            value={filters.channel}
            onChange={(v) => onFilters({ ...filters, channel: v })}
            options={(['wecom_kf', 'web'] as const).map((c) => ({ value: c, label: t(`channel.${c}`) }))}
          />
          <Select
            size="small"
            allowClear
            placeholder={t('ws.filters.tier')}
            value={filters.tier}
            onChange={(v) => onFilters({ ...filters, tier: v })}
            options={TIERS.map((x) => ({ value: x, label: t(`tiers.${x}`) }))}
          />
        </div>
      </div>
      <div className="conv-list-body" data-testid="conversation-list" data-view={view}>
        {loading && items.length === 0 ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : items.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={filters.q || filters.channel || filters.tier ? t('ws.noMatch') : t(`ws.empty.${view}`)} style={{ marginTop: 48 }} />
        ) : (
          items.map((c) => {
            const since = waitingSince(c);
            return (
              <div
                key={c.id}
                className={`conv-item${c.id === selectedId ? ' conv-item-active' : ''}${isUrgent(c) ? ' conv-item-urgent' : ''}`}
                data-testid="conversation-item"
                data-priority={c.priority ?? 0}
                data-conversation-id={c.id}
                data-unread={c.unread_count}
                data-status={c.status}
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
                    {since ? <WaitTime since={since} /> : null}
                    <PriorityTags c={c} />
                    <TierTag tier={c.customer.tier} />
                  </div>
                </div>
              </div>
            );
          })
        )}
      </div>
    </div>
  );
}
