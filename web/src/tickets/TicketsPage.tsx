import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Button, Checkbox, Drawer, Input, Select, Space, Spin, Table, Tabs, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { FlagFilled, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { RealtimeClient } from '../realtime';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { linkProps, navigate } from '../router';
import type { Session } from '../App';
import { PriorityTag, TicketStatusTag, useTicketMeta } from './common';
import { SlaBadge, stamp } from './sla';
import { PRIORITIES, type Ticket, type TicketStatus } from './types';
import './tickets.css';

const TicketDetail = lazy(() => import('./TicketDetail'));

const TABS = ['open', 'in_progress', 'pending_customer', 'resolved', 'all'] as const;
type Tab = (typeof TABS)[number];
/** the statuses behind a tab (已解决 includes closed tickets) */
const TAB_STATUSES: Record<Tab, TicketStatus[] | null> = {
  open: ['new', 'in_progress', 'pending_customer'],
  in_progress: ['in_progress'],
  pending_customer: ['pending_customer'],
  resolved: ['resolved', 'closed'],
  all: null,
};
const SLA_STATES = ['ok', 'warning', 'breached', 'paused', 'met', 'missed'] as const;
const PAGE = 50;

type Filters = {
  tab: Tab;
  priority?: string;
  category_id?: string;
  department_id?: string;
  sla?: string;
  flagged?: boolean;
  q?: string;
};

function queryOf(f: Filters, offset: number): string {
  const p = new URLSearchParams();
  const st = TAB_STATUSES[f.tab];
  p.set('status', st ? st.join(',') : 'all');
  if (f.priority) p.set('priority', f.priority);
  if (f.category_id) p.set('category_id', f.category_id);
  if (f.department_id) p.set('department_id', f.department_id);
  if (f.sla) p.set('sla', f.sla);
  if (f.flagged) p.set('flagged', 'true');
  if (f.q) p.set('q', f.q);
  p.set('limit', String(PAGE));
  p.set('offset', String(offset));
  return p.toString();
}

/** whether a pushed ticket belongs in the list as filtered (the server's rules, client side) */
function matches(t: Ticket, f: Filters): boolean {
  const st = TAB_STATUSES[f.tab];
  if (st && !st.includes(t.status)) return false;
  if (f.priority && t.priority !== f.priority) return false;
  if (f.category_id && t.category?.id !== f.category_id) return false;
  if (f.department_id && t.department?.id !== f.department_id) return false;
  if (f.flagged && !t.flagged_red) return false;
  if (f.sla && t.sla.state !== f.sla) return false;
  if (f.q && !t.title.includes(f.q) && !t.number.includes(f.q)) return false;
  return true;
}

/** flagged first, then newest (the server's order) */
function sortTickets(list: Ticket[]): Ticket[] {
  return [...list].sort((a, b) => Number(b.flagged_red) - Number(a.flagged_red) || (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

type Props = { path: string; socket: RealtimeClient; mobile: boolean; session: Session };

export default function TicketsPage({ path, socket, mobile, session }: Props) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const { meta } = useTicketMeta();
  const [filters, setFilters] = useState<Filters>({ tab: 'open' });
  const [items, setItems] = useState<Ticket[]>([]);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [search, setSearch] = useState('');
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const seq = useRef(0);

  const openId = path.startsWith('/tickets/') ? decodeURIComponent(path.slice('/tickets/'.length)) || null : null;

  const load = useCallback(
    async (opts: { silent?: boolean } = {}) => {
      const f = filtersRef.current;
      const my = ++seq.current;
      if (!opts.silent) setLoading(true);
      try {
        // a silent refresh re-reads what is shown (fresh business minutes for the badges)
        const r = await api<{ items: Ticket[] }>(`/api/tickets?${queryOf(f, 0)}`);
        if (my !== seq.current) return;
        setItems(sortTickets(r.items.map(stamp)));
        setMore(r.items.length === PAGE);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401) && !opts.silent) toast.error(t('tickets.loadFailed', { reason: (e as Error).message }));
      } finally {
        if (my === seq.current) setLoading(false);
      }
    },
    [toast, t],
  );

  const loadMore = async () => {
    try {
      const r = await api<{ items: Ticket[] }>(`/api/tickets?${queryOf(filtersRef.current, items.length)}`);
      setItems((prev) => {
        const known = new Set(prev.map((x) => x.id));
        return [...prev, ...r.items.filter((x) => !known.has(x.id)).map(stamp)];
      });
      setMore(r.items.length === PAGE);
    } catch (e) {
      toast.error(t('tickets.loadFailed', { reason: (e as Error).message }));
    }
  };

  useEffect(() => {
    void load();
  }, [filters, load]);

  // business minutes only the server can count: re-read them every minute
  useEffect(() => {
    const h = setInterval(() => void load({ silent: true }), 60_000);
    return () => clearInterval(h);
  }, [load]);

  // live: ticket.updated on the agent socket
  useEffect(() => {
    const on = ({ ticket }: { ticket: Ticket }) => {
      stamp(ticket);
      setItems((prev) => {
        const has = prev.some((x) => x.id === ticket.id);
        if (!matches(ticket, filtersRef.current)) return has ? prev.filter((x) => x.id !== ticket.id) : prev;
        return sortTickets(has ? prev.map((x) => (x.id === ticket.id ? ticket : x)) : [ticket, ...prev]);
      });
    };
    socket.on('ticket.updated', on);
    // missed events are filled in; only when too many were missed does the list reload
    const onResync = () => void load({ silent: true });
    socket.on('resync', onResync);
    return () => {
      socket.off('ticket.updated', on);
      socket.off('resync', onResync);
    };
  }, [socket, load]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const policies = meta?.sla_policies ?? [];

  const columns: ColumnsType<Ticket> = useMemo(
    () => [
      {
        title: t('tickets.col.number'),
        dataIndex: 'number',
        width: 150,
        render: (_, r) => (
          <a {...linkProps(`/tickets/${encodeURIComponent(r.id)}`)} className="tk-number" data-testid="ticket-number" onClick={(e) => { e.preventDefault(); e.stopPropagation(); navigate(`/tickets/${encodeURIComponent(r.id)}`); }}>
            {r.flagged_red ? <FlagFilled style={{ color: '#cf1322', marginInlineEnd: 4 }} /> : null}
            {r.number}
          </a>
        ),
      },
      {
        title: t('tickets.col.title'),
        dataIndex: 'title',
        ellipsis: { showTitle: true },
        render: (v: string) => <span data-testid="ticket-title">{v}</span>,
      },
      { title: t('tickets.col.customer'), width: 120, ellipsis: true, render: (_, r) => r.customer?.display_name ?? t('tickets.none') },
      { title: t('tickets.col.category'), width: 100, render: (_, r) => r.category?.name ?? t('tickets.none') },
      { title: t('tickets.col.priority'), width: 80, render: (_, r) => <PriorityTag priority={r.priority} /> },
      { title: t('tickets.col.status'), width: 110, render: (_, r) => <TicketStatusTag status={r.status} /> },
      {
        title: t('tickets.col.assignee'),
        width: 110,
        ellipsis: true,
        render: (_, r) => (r.assignee ? r.assignee.display_name : <Typography.Text type="secondary">{t('tickets.unassigned')}</Typography.Text>),
      },
      { title: t('tickets.col.sla'), width: 150, render: (_, r) => <SlaBadge ticket={r} policies={policies} /> },
      {
        title: t('tickets.col.updated'),
        width: 110,
        render: (_, r) => (
          <Tooltip title={dayjs(r.updated_at).format('YYYY-MM-DD HH:mm:ss')}>
            <span className="tk-muted">{dayjs(r.updated_at).fromNow()}</span>
          </Tooltip>
        ),
      },
    ],
    [t, policies],
  );

  const mobileColumns: ColumnsType<Ticket> = useMemo(
    () => [
      {
        title: t('tickets.col.title'),
        render: (_, r) => (
          <div className="tk-mobile-row">
            <div className="tk-mobile-top">
              <span className="tk-number" data-testid="ticket-number">{r.number}</span>
              <TicketStatusTag status={r.status} />
              <PriorityTag priority={r.priority} />
            </div>
            <div className="tk-mobile-title" data-testid="ticket-title">{r.title}</div>
            <div className="tk-mobile-top">
              <span className="tk-muted">{r.customer?.display_name ?? ''}</span>
              <SlaBadge ticket={r} policies={policies} />
            </div>
          </div>
        ),
      },
    ],
    [t, policies],
  );

  return (
    <div className="tk-page" data-testid="tickets-page">
      <div className="tk-toolbar">
        <Tabs
          activeKey={filters.tab}
          onChange={(k) => set({ tab: k as Tab })}
          items={TABS.map((k) => ({ key: k, label: <span data-testid={`ticket-tab-${k}`}>{t(`tickets.tabs.${k}`)}</span> }))}
          className="tk-tabs"
        />
        <Space wrap size={8} className="tk-filters">
          <Select
            allowClear
            placeholder={t('tickets.filters.priority')}
            value={filters.priority}
            onChange={(v) => set({ priority: v })}
            style={{ width: 110 }}
            options={PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
            data-testid="filter-priority"
          />
          <Select
            allowClear
            placeholder={t('tickets.filters.category')}
            value={filters.category_id}
            onChange={(v) => set({ category_id: v })}
            style={{ width: 130 }}
            options={(meta?.categories ?? []).map((c) => ({ value: c.id, label: c.name }))}
            data-testid="filter-category"
          />
          <Select
            allowClear
            placeholder={t('tickets.filters.department')}
            value={filters.department_id}
            onChange={(v) => set({ department_id: v })}
            style={{ width: 130 }}
            options={(meta?.departments ?? []).map((d) => ({ value: d.id, label: d.name }))}
            data-testid="filter-department"
          />
          <Select
            allowClear
            placeholder={t('tickets.filters.sla')}
            value={filters.sla}
            onChange={(v) => set({ sla: v })}
            style={{ width: 130 }}
            options={SLA_STATES.map((s) => ({ value: s, label: t(`tickets.sla.${s}`) }))}
            data-testid="filter-sla"
          />
          <Checkbox checked={!!filters.flagged} onChange={(e) => set({ flagged: e.target.checked || undefined })} data-testid="filter-flagged">
            {t('tickets.sla.flagged')}
          </Checkbox>
          <Input.Search
            allowClear
            placeholder={t('tickets.filters.search')}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              if (!e.target.value) set({ q: undefined });
            }}
            onSearch={(v) => set({ q: v.trim() || undefined })}
            style={{ width: mobile ? '100%' : 220 }}
            data-testid="filter-search"
          />
          <Tooltip title={t('tickets.filters.refresh')}>
            <Button icon={<ReloadOutlined />} onClick={() => void load()} data-testid="tickets-refresh" />
          </Tooltip>
        </Space>
      </div>
      <div className="tk-table">
        <Table<Ticket>
          rowKey="id"
          size="middle"
          columns={mobile ? mobileColumns : columns}
          dataSource={items}
          loading={loading}
          pagination={false}
          showHeader={!mobile}
          locale={{ emptyText: t('tickets.empty') }}
          onRow={(r) => ({
            onClick: () => navigate(`/tickets/${encodeURIComponent(r.id)}`),
            className: `tk-row${r.id === openId ? ' tk-row-active' : ''}`,
            'data-testid': 'ticket-row',
            'data-number': r.number,
            'data-status': r.status,
          } as React.HTMLAttributes<HTMLElement>)}
          footer={
            more
              ? () => (
                  <Button type="link" onClick={() => void loadMore()} data-testid="tickets-more">
                    {t('tickets.more')}
                  </Button>
                )
              : undefined
          }
        />
      </div>
      <Drawer
        open={!!openId}
        onClose={() => navigate('/tickets')}
        width={mobile ? '100%' : 1120}
        destroyOnHidden
        title={null}
        closable={false}
        styles={{ body: { padding: 0 } }}
        data-testid="ticket-drawer"
      >
        {openId ? (
          <Suspense fallback={<div className="center-pad"><Spin /></div>}>
            <TicketDetail id={openId} socket={socket} mobile={mobile} session={session} onClose={() => navigate('/tickets')} />
          </Suspense>
        ) : null}
      </Drawer>
    </div>
  );
}
