import { lazy, Suspense, useMemo, useState } from 'react';
import { Button, Card, Select, Space, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../training/common';
import { useLoad, useUsers } from './common';
import { CHANNELS, type Channel, type LogEntry } from './types';

const Chart = lazy(() => import('../training/Chart'));

const OUTCOMES = ['sent', 'failed', 'skipped'] as const;
const OUTCOME_COLOR: Record<LogEntry['outcome'], string> = { sent: 'green', retry: 'orange', failed: 'red', skipped: 'default' };
const CHART_COLOR = { sent: '#52c41a', failed: '#ff4d4f', skipped: '#bfbfbf' };

/** One delivery (a notification on one channel): its attempts, newest first, and where it ended. */
type Delivery = { id: string; last: LogEntry; attempts: LogEntry[]; retries: number };

function deliveries(rows: LogEntry[]): Delivery[] {
  const by = new Map<string, LogEntry[]>();
  for (const r of rows) by.set(r.delivery_id, [...(by.get(r.delivery_id) ?? []), r]);
  return [...by.entries()].map(([id, attempts]) => ({ id, attempts, last: attempts[0], retries: attempts.filter((a) => a.outcome === 'retry').length }));
}

/** What was sent to whom, on which channel, with retries and errors. */
export default function NotificationLogPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<Channel | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  const q = new URLSearchParams({ limit: '500', ...(channel ? { channel } : {}), ...(outcome ? { outcome } : {}) });
  const log = useLoad<{ items: LogEntry[] }>(`/api/notifications/log?${q}`);
  const users = useUsers();
  const rows = useMemo(() => deliveries(log.data?.items ?? []), [log.data]);
  const who = (e: LogEntry) => (e.recipient_user_id ? users.find((u) => u.id === e.recipient_user_id)?.display_name ?? e.recipient_user_id : null);

  const option = useMemo(() => {
    const count = (c: Channel, o: string) => rows.filter((d) => d.last.channel === c && d.last.outcome === o).length;
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, data: OUTCOMES.map((o) => t(`admin.log.outcome.${o}`)) },
      grid: { left: 40, right: 12, top: 12, bottom: 52 },
      xAxis: { type: 'category', data: CHANNELS.map((c) => t(`admin.channels.${c}`)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: OUTCOMES.map((o) => ({ name: t(`admin.log.outcome.${o}`), type: 'bar', stack: 'all', barMaxWidth: 48, itemStyle: { color: CHART_COLOR[o] }, data: CHANNELS.map((c) => count(c, o)) })),
    };
  }, [rows, t]);

  const columns: ColumnsType<Delivery> = [
    { title: t('admin.log.time'), width: 150, render: (_, d) => dayjs(d.last.created_at).format('MM-DD HH:mm:ss') },
    { title: t('admin.log.template'), width: 150, render: (_, d) => t(`admin.tpl.names.${d.last.template}`, { defaultValue: d.last.template }) },
    { title: t('admin.log.channel'), width: 100, render: (_, d) => <Tag className="tag-compact">{t(`admin.channels.${d.last.channel}`)}</Tag> },
    { title: t('admin.log.to'), render: (_, d) => <span>{who(d.last) ?? '—'} <Typography.Text type="secondary">{d.last.address_masked ?? ''}</Typography.Text></span> },
    { title: t('admin.log.subject'), ellipsis: true, render: (_, d) => d.last.subject },
    {
      title: t('admin.log.status'),
      width: 110,
      render: (_, d) => (
        <Tag color={OUTCOME_COLOR[d.last.outcome]} className="tag-compact" data-testid="log-outcome" data-outcome={d.last.outcome}>
          {t(`admin.log.outcome.${d.last.outcome}`)}
        </Tag>
      ),
    },
    { title: t('admin.log.attempts'), width: 80, render: (_, d) => (d.last.attempt > 0 ? d.last.attempt : '—') },
    { title: t('admin.log.error'), ellipsis: true, render: (_, d) => (d.last.error ? <Tooltip title={d.last.error}><Typography.Text type={d.last.outcome === 'failed' ? 'danger' : 'secondary'}>{t(`admin.log.skip.${d.last.error}`, { defaultValue: d.last.error })}</Typography.Text></Tooltip> : null) },
  ];

  return (
    <div className="tr-page" data-testid="admin-notification-log">
      <PageHeader title={t('admin.nav.log')} desc={t('admin.log.desc')} />
      <div className="adm-log-top">
        <Card size="small" title={t('admin.log.byChannel')} className="adm-log-chart">
          <Suspense fallback={null}><Chart option={option} height={180} testId="log-chart" /></Suspense>
        </Card>
      </div>
      <div className="tr-filters">
        <Select allowClear placeholder={t('admin.log.channel')} style={{ width: 130 }} value={channel} onChange={setChannel} options={CHANNELS.map((c) => ({ value: c, label: t(`admin.channels.${c}`) }))} />
        <Select allowClear placeholder={t('admin.log.status')} style={{ width: 130 }} value={outcome} onChange={setOutcome} options={(['sent', 'retry', 'failed', 'skipped'] as const).map((o) => ({ value: o, label: t(`admin.log.outcome.${o}`) }))} />
        <Button icon={<ReloadOutlined />} onClick={() => void log.reload()} aria-label={t('admin.reload')} />
        <span className="tr-count">{t('admin.log.count', { n: rows.length })}</span>
      </div>
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<Delivery>
          rowKey="id"
          size="small"
          loading={log.loading}
          dataSource={rows}
          columns={mobile ? columns.filter((_, i) => [1, 2, 5].includes(i)) : columns}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          onRow={(d) => ({ 'data-testid': 'log-row', 'data-channel': d.last.channel } as React.HTMLAttributes<HTMLElement>)}
          expandable={{
            expandedRowRender: (d) => (
              <div className="adm-log-detail">
                <pre className="adm-tpl-pre">{d.last.body}</pre>
                <Timeline
                  items={[...d.attempts].reverse().map((a) => ({
                    color: OUTCOME_COLOR[a.outcome] === 'default' ? 'gray' : OUTCOME_COLOR[a.outcome],
                    children: (
                      <Space size={6} wrap>
                        <span>{dayjs(a.created_at).format('HH:mm:ss')}</span>
                        {a.attempt > 0 ? <span>{t('admin.log.attemptN', { n: a.attempt })}</span> : null}
                        <Tag color={OUTCOME_COLOR[a.outcome]} className="tag-compact">{t(`admin.log.outcome.${a.outcome}`)}</Tag>
                        {a.error ? <Typography.Text type="secondary">{t(`admin.log.skip.${a.error}`, { defaultValue: a.error })}</Typography.Text> : null}
                        {a.provider_ref ? <Typography.Text type="secondary">ref {a.provider_ref}</Typography.Text> : null}
                      </Space>
                    ),
                  }))}
                />
              </div>
            ),
          }}
        />
      </Card>
    </div>
  );
}
