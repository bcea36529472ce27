import { useMemo, useState } from 'react';
import { App as AntApp, Button, Card, Empty, Segmented, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { CheckOutlined, FireOutlined, ReloadOutlined } from '@ant-design/icons';
import type { EChartsCoreOption } from 'echarts/core';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useAlerts } from './alerts';
import Chart from './Chart';
import { fmtTime, PageHeader, reason } from './common';
import type { KAlert } from './types';

export default function AlertsPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const { items, loading, reload, ack, unacked } = useAlerts();
  const [view, setView] = useState<'open' | 'all'>('open');
  const [acking, setAcking] = useState<string | null>(null);

  const shown = useMemo(() => (view === 'open' ? items.filter((a) => !a.acknowledged) : items), [items, view]);

  const chart = useMemo<EChartsCoreOption | null>(() => {
    const rows = shown.filter((a) => a.baseline != null && a.current != null).slice(0, 12);
    if (!rows.length) return null;
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { data: [t('training.alerts.baseline'), t('training.alerts.current')], top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((a) => a.topic), axisLabel: { interval: 0, width: 90, overflow: 'truncate' } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('training.alerts.baseline'), type: 'bar', data: rows.map((a) => a.baseline), itemStyle: { color: '#bfbfbf' } },
        {
          name: t('training.alerts.current'),
          type: 'bar',
          data: rows.map((a) => a.current),
          itemStyle: { color: '#ff7a45' },
          label: { show: true, position: 'top', formatter: (p: { dataIndex: number }) => `×${rows[p.dataIndex].ratio.toFixed(1)}` },
        },
      ],
    };
  }, [shown, t]);

  const doAck = async (a: KAlert) => {
    setAcking(a.id);
    try {
      await ack(a.id);
      toast.success(t('training.alerts.acked'));
    } catch (e) {
      toast.error(t('training.common.saveFailed', { reason: reason(e) }));
    } finally {
      setAcking(null);
    }
  };

  return (
    <div className="tr-page" data-testid="alerts-page">
      <PageHeader
        title={t('training.nav.alerts')}
        desc={t('training.alerts.desc')}
        extra={
          <Space>
            <Segmented
              value={view}
              onChange={(v) => setView(v as 'open' | 'all')}
              options={[
                { value: 'open', label: `${t('training.alerts.open')} (${unacked})` },
                { value: 'all', label: `${t('training.alerts.all')} (${items.length})` },
              ]}
            />
            <Button icon={<ReloadOutlined />} onClick={() => void reload()} />
          </Space>
        }
      />
      {chart ? (
        <Card className="tr-card" title={t('training.alerts.chart')} style={{ marginBottom: 16 }}>
          <Chart option={chart} height={240} testId="alerts-chart" />
        </Card>
      ) : null}
      {loading && !items.length ? (
        <div className="center-pad">
          <Spin />
        </div>
      ) : shown.length === 0 ? (
        <Card className="tr-card">
          <Empty description={t('training.alerts.empty')} />
        </Card>
      ) : (
        <Table<KAlert>
          className="tr-card"
          rowKey="id"
          dataSource={shown}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="alerts-table"
          rowClassName={(a) => (a.acknowledged ? 'alert-row-acked' : '')}
          columns={[
            {
              title: t('training.alerts.topic'),
              dataIndex: 'topic',
              render: (v: string, a) => (
                <Space direction="vertical" size={2}>
                  <Space size={6}>
                    <FireOutlined style={{ color: a.acknowledged ? '#bfbfbf' : '#fa541c' }} />
                    <b>{v}</b>
                    <Tag className="tag-compact">{t(`training.alerts.kinds.${a.kind}`, { defaultValue: a.kind })}</Tag>
                  </Space>
                </Space>
              ),
            },
            {
              title: t('training.alerts.ratio'),
              dataIndex: 'ratio',
              width: 110,
              sorter: (a, b) => a.ratio - b.ratio,
              render: (v: number) => (
                <span className="alert-ratio" style={{ color: v >= 3 ? '#cf1322' : '#d46b08' }}>
                  ×{v.toFixed(1)}
                </span>
              ),
            },
            {
              title: t('training.alerts.baselineVsCurrent'),
              key: 'bc',
              width: 150,
              render: (_, a) =>
                a.baseline != null && a.current != null ? (
                  <Tooltip title={t('training.alerts.bcHint')}>
                    <span>
                      <Typography.Text type="secondary">{a.baseline}</Typography.Text> → <b>{a.current}</b>
                    </span>
                  </Tooltip>
                ) : (
                  '—'
                ),
            },
            {
              title: t('training.alerts.examples'),
              dataIndex: 'examples',
              render: (ex: string[]) => (
                <div className="alert-examples">
                  {ex.slice(0, 3).map((e, i) => (
                    <div key={i} className="alert-example">
                      「{e}」
                    </div>
                  ))}
                </div>
              ),
            },
            {
              title: t('training.alerts.time'),
              dataIndex: 'created_at',
              width: 150,
              render: (v: string) => <Tooltip title={fmtTime(v)}>{dayjs(v).fromNow()}</Tooltip>,
            },
            {
              title: t('training.common.actions'),
              key: 'ack',
              width: 100,
              render: (_, a) =>
                a.acknowledged ? (
                  <Tag color="default" icon={<CheckOutlined />}>
                    {t('training.alerts.ackedTag')}
                  </Tag>
                ) : (
                  <Button size="small" type="primary" ghost icon={<CheckOutlined />} loading={acking === a.id} onClick={() => void doAck(a)} data-testid="alert-ack">
                    {t('training.alerts.ack')}
                  </Button>
                ),
            },
          ]}
        />
      )}
    </div>
  );
}
