import { useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Alert, Button, Card, Col, Empty, Popover, Progress, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { CheckOutlined, FundOutlined, PlayCircleOutlined, ToolOutlined } from '@ant-design/icons';
import type { EChartsCoreOption } from 'echarts/core';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import Chart from './Chart';
import { PageHeader, pct, reason, scoreColor, useIntents } from './common';
import type { BadCase, Evaluation, Intent, PerIntent } from './types';

/** a square cell per label pair, smaller for many intents */
function heatCell(n: number): number {
  return Math.max(14, Math.min(36, Math.floor(760 / Math.max(1, n))));
}

function FixButton({ c, intents, onFixed }: { c: BadCase; intents: Intent[]; onFixed: () => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [intent, setIntent] = useState<string | undefined>(c.expected_id);
  const [saving, setSaving] = useState(false);
  const fix = async () => {
    if (!intent) return;
    setSaving(true);
    try {
      await api('/api/knowledge/bad-cases/fix', { body: { text: c.text, intent_id: intent } });
      toast.success(t('training.eval.fixed'));
      setOpen(false);
      onFixed();
    } catch (e) {
      toast.error(t('training.common.saveFailed', { reason: reason(e) }));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      title={t('training.eval.fixTitle')}
      content={
        <div style={{ width: 280 }}>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('training.eval.fixHint')}
          </Typography.Paragraph>
          <Select
            showSearch
            optionFilterProp="label"
            style={{ width: '100%' }}
            value={intent}
            onChange={setIntent}
            options={intents.map((i) => ({ value: i.id, label: i.name }))}
            data-testid="fix-intent"
          />
          <div style={{ textAlign: 'right', marginTop: 10 }}>
            <Button type="primary" size="small" loading={saving} disabled={!intent} onClick={() => void fix()} data-testid="fix-confirm">
              {t('training.eval.fixApply')}
            </Button>
          </div>
        </div>
      }
    >
      <Button size="small" icon={<ToolOutlined />} data-testid="fix-open">
        {t('training.eval.fix')}
      </Button>
    </Popover>
  );
}

export default function EvaluatePage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [k, setK] = useState(5);
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [ev, setEv] = useState<Evaluation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fixed, setFixed] = useState<Set<string>>(new Set());
  const { intents } = useIntents();
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  useEffect(() => () => void (timer.current && clearInterval(timer.current)), []);

  const run = async () => {
    setRunning(true);
    setError(null);
    const started = Date.now();
    setElapsed(0);
    timer.current = setInterval(() => setElapsed(Date.now() - started), 100);
    try {
      const r = await api<Evaluation>('/api/knowledge/evaluate', { body: { k } });
      setEv(r);
      setFixed(new Set());
    } catch (e) {
      setError(reason(e));
      toast.error(t('training.eval.failed', { reason: reason(e) }));
    } finally {
      if (timer.current) clearInterval(timer.current);
      setRunning(false);
    }
  };

  const samples = useMemo(() => (ev ? ev.examples ?? ev.confusion.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0) : 0), [ev]);

  const barOption = useMemo<EChartsCoreOption | null>(() => {
    if (!ev) return null;
    const rows = [...ev.per_intent].sort((a, b) => a.f1 - b.f1);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${(v * 100).toFixed(1)}%` },
      legend: { data: [t('training.eval.precision'), t('training.eval.recall'), 'F1'], top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { width: 110, overflow: 'truncate' } },
      series: [
        { name: t('training.eval.precision'), type: 'bar', data: rows.map((r) => r.precision), itemStyle: { color: '#69b1ff' }, barGap: '10%' },
        { name: t('training.eval.recall'), type: 'bar', data: rows.map((r) => r.recall), itemStyle: { color: '#95de64' } },
        { name: 'F1', type: 'bar', data: rows.map((r) => r.f1), itemStyle: { color: '#ffc069' } },
      ],
    };
  }, [ev, t]);

  const heatOption = useMemo<EChartsCoreOption | null>(() => {
    if (!ev) return null;
    // labels are intent ids (the server) or names (the brief): show names
    const byId = new Map(ev.per_intent.map((p) => [p.intent_id, p.name]));
    const labels = ev.labels.map((id) => (id === '__none__' ? t('training.eval.nothing') : byId.get(id) ?? id));
    const n = labels.length;
    const cell = heatCell(n);
    const data: [number, number, number, number][] = [];
    ev.confusion.forEach((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      row.forEach((v, j) => data.push([j, i, v / total, v]));
    });
    return {
      tooltip: {
        formatter: (p: { data: [number, number, number, number] }) => {
          const [j, i, ratio, v] = p.data;
          return `${t('training.eval.expected')}: <b>${labels[i]}</b><br/>${t('training.eval.predicted')}: <b>${labels[j]}</b><br/>${v} (${(ratio * 100).toFixed(1)}%)`;
        },
      },
      grid: { left: 120, top: 12, width: n * cell, height: n * cell },
      xAxis: {
        type: 'category',
        data: labels,
        name: t('training.eval.predicted'),
        nameLocation: 'middle',
        nameGap: n > 8 ? 86 : 30,
        position: 'bottom',
        axisLabel: { rotate: n > 8 ? 50 : 0, interval: 0, width: 80, overflow: 'truncate', fontSize: 11 },
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: labels,
        inverse: true,
        axisLabel: { interval: 0, width: 104, overflow: 'truncate', fontSize: 11 },
        splitArea: { show: true },
      },
      visualMap: {
        min: 0,
        max: 1,
        dimension: 2,
        calculable: false,
        orient: 'vertical',
        left: 120 + n * cell + 24,
        top: 12,
        itemHeight: Math.min(240, n * cell),
        text: ['100%', '0'],
        inRange: { color: ['#ffffff', '#bae0ff', '#4096ff', '#003eb3'] },
      },
      series: [
        {
          type: 'heatmap',
          data,
          label: { show: cell >= 20, formatter: (p: { data: [number, number, number, number] }) => (p.data[3] ? String(p.data[3]) : ''), fontSize: 10 },
          itemStyle: { borderColor: '#f0f0f0', borderWidth: 1 },
          emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,0.3)' } },
        },
      ],
    };
  }, [ev, t]);

  const fake = Math.round(95 * (1 - Math.exp(-elapsed / 4000)));

  return (
    <div className="tr-page" data-testid="evaluate-page">
      <PageHeader
        title={t('training.nav.evaluate')}
        desc={t('training.eval.desc')}
        extra={
          <Space>
            <span>{t('training.eval.k')}</span>
            <Select
              value={k}
              onChange={setK}
              style={{ width: 110 }}
              options={[3, 5, 10].map((x) => ({ value: x, label: t('training.eval.folds', { k: x }) }))}
              data-testid="eval-k"
            />
            <Button type="primary" icon={<PlayCircleOutlined />} loading={running} onClick={() => void run()} data-testid="eval-run">
              {t('training.eval.run')}
            </Button>
          </Space>
        }
      />
      {running ? (
        <Card className="tr-card" style={{ marginBottom: 16 }} data-testid="eval-progress">
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text>{t('training.eval.running', { k, s: (elapsed / 1000).toFixed(1) })}</Typography.Text>
            <Progress percent={fake} status="active" showInfo={false} />
          </Space>
        </Card>
      ) : null}
      {error && !running ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} /> : null}
      {!ev ? (
        !running ? (
          <Card className="tr-card">
            <Empty image={<FundOutlined style={{ fontSize: 56, color: '#d0d7e2' }} />} description={t('training.eval.empty')} />
          </Card>
        ) : null
      ) : (
        <div data-testid="eval-result" style={running ? { opacity: 0.5 } : undefined}>
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Card className="tr-card">
                <div data-testid="eval-accuracy" data-value={ev.accuracy}>
                  <Statistic title={t('training.eval.accuracy')} value={ev.accuracy * 100} precision={1} suffix="%" valueStyle={{ color: scoreColor(ev.accuracy, 0.9, 0.75) }} />
                </div>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card className="tr-card">
                <div data-testid="eval-f1" data-value={ev.macro_f1}>
                  <Statistic title={t('training.eval.macroF1')} value={ev.macro_f1 * 100} precision={1} suffix="%" valueStyle={{ color: scoreColor(ev.macro_f1, 0.9, 0.75) }} />
                </div>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card className="tr-card">
                <Statistic title={t('training.eval.samples')} value={samples} suffix={<span className="tr-stat-sub">/ {t('training.eval.intentsN', { n: ev.per_intent.length })}</span>} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card className="tr-card">
                <Statistic title={t('training.eval.badCases')} value={ev.bad_cases.length} suffix={<span className="tr-stat-sub">· {t('training.eval.trainMs', { ms: ev.train_ms })}</span>} />
              </Card>
            </Col>
            <Col xs={24}>
              <Card className="tr-card" title={t('training.eval.confusion')} extra={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('training.eval.confusionHint')}</Typography.Text>}>
                <div style={{ overflowX: 'auto' }}>
                  <div style={{ minWidth: 120 + ev.labels.length * heatCell(ev.labels.length) + 100 }}>
                    {heatOption ? <Chart option={heatOption} height={ev.labels.length * heatCell(ev.labels.length) + (ev.labels.length > 8 ? 130 : 60)} testId="confusion-heatmap" /> : null}
                  </div>
                </div>
              </Card>
            </Col>
          </Row>
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} xl={10}>
              <Card className="tr-card" title={t('training.eval.perIntentChart')}>
                {barOption ? <Chart option={barOption} height={Math.max(380, ev.per_intent.length * 30 + 60)} testId="per-intent-chart" /> : null}
              </Card>
            </Col>
            <Col xs={24} xl={14}>
          <Card className="tr-card" title={t('training.eval.perIntent')} styles={{ body: { padding: 0 } }}>
            <Table<PerIntent>
              rowKey="intent_id"
              size="small"
              dataSource={ev.per_intent}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
              data-testid="per-intent-table"
              columns={[
                { title: t('training.intents.name'), dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name, 'zh') },
                ...(['precision', 'recall', 'f1'] as const).map((key) => ({
                  title: key === 'f1' ? 'F1' : t(`training.eval.${key}`),
                  dataIndex: key,
                  width: 150,
                  sorter: (a: PerIntent, b: PerIntent) => a[key] - b[key],
                  defaultSortOrder: key === 'f1' ? ('ascend' as const) : undefined,
                  render: (v: number) => (
                    <Progress percent={Math.round(v * 1000) / 10} size="small" strokeColor={scoreColor(v)} format={(p) => `${p?.toFixed(1)}%`} style={{ margin: 0 }} />
                  ),
                })),
                { title: t('training.eval.support'), dataIndex: 'support', width: 90, align: 'right' as const, sorter: (a: PerIntent, b: PerIntent) => a.support - b.support },
              ]}
            />
          </Card>
            </Col>
          </Row>
          <Card className="tr-card" title={t('training.eval.badCases')} style={{ marginTop: 16 }} styles={{ body: { padding: 0 } }}>
            <Table<BadCase>
              rowKey={(r) => `${r.text}\u0000${r.expected_id}`}
              size="small"
              dataSource={ev.bad_cases}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              data-testid="bad-cases"
              columns={[
                { title: t('training.eval.text'), dataIndex: 'text' },
                { title: t('training.eval.expected'), dataIndex: 'expected', width: 150, render: (v: string) => <Tag color="green">{v}</Tag> },
                {
                  title: t('training.eval.predicted'),
                  dataIndex: 'predicted',
                  width: 150,
                  render: (v: string | null) => (v ? <Tag color="red">{v}</Tag> : <Tag>{t('training.eval.nothing')}</Tag>),
                },
                { title: t('training.eval.confidence'), dataIndex: 'confidence', width: 100, align: 'right', sorter: (a, b) => a.confidence - b.confidence, render: (v: number) => pct(v) },
                {
                  title: t('training.common.actions'),
                  key: 'fix',
                  width: 110,
                  render: (_, r) =>
                    fixed.has(r.text) ? (
                      <Tag color="success" icon={<CheckOutlined />}>
                        {t('training.eval.fixedTag')}
                      </Tag>
                    ) : (
                      <FixButton c={r} intents={intents} onFixed={() => setFixed((s) => new Set(s).add(r.text))} />
                    ),
                },
              ]}
            />
          </Card>
        </div>
      )}
    </div>
  );
}
