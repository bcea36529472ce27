import { lazy, Suspense, useMemo, useState } from 'react';
import { Button, Card, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { navigate } from '../router';
import { PageHeader } from '../training/common';
import { useLoad } from '../admin/common';
import { RUN_OUTCOMES, type DailyRuns, type Rule, type Run, type RunAction } from './types';

const Chart = lazy(() => import('../training/Chart'));

export const OUTCOME_COLOR: Record<string, string> = { succeeded: 'green', failed: 'red', skipped: 'default', running: 'processing', retrying: 'orange', pending: 'default' };
const CHART_COLOR = { succeeded: '#52c41a', failed: '#ff4d4f', skipped: '#bfbfbf', running: '#1677ff' } as const;

/** where an action's message went: the chat, or a fallback (SMS, owner task) and why */
function ActionOutcome({ a }: { a: RunAction }) {
  const { t } = useTranslation();
  const r = a.result ?? {};
  const via = typeof r.via === 'string' ? r.via : null;
  const because = (r.because as { reason?: string } | undefined)?.reason;
  return (
    <div className="aut-run-action" data-testid="run-action" data-type={a.type} data-status={a.status}>
      <Tag color={OUTCOME_COLOR[a.status] ?? 'default'} className="tag-compact">{t(`automation.runs.status.${a.status}`, { defaultValue: a.status })}</Tag>
      <span>{t(`automation.actions.${a.type}`)}</span>
      {a.attempts > 1 ? <Typography.Text type="warning"> · {t('automation.runs.attempts', { n: a.attempts })}</Typography.Text> : null}
      {via ? (
        <Tag color={r.fallback ? 'orange' : 'blue'} className="tag-compact" data-testid="run-via" style={{ marginInlineStart: 6 }}>
          {r.fallback ? t('automation.runs.fallbackVia', { via: t(`automation.runs.via.${via}`, { defaultValue: via }) }) : t(`automation.runs.via.${via}`, { defaultValue: via })}
        </Tag>
      ) : null}
      {because ? <Typography.Text type="secondary"> {t('automation.runs.because', { reason: because })}</Typography.Text> : null}
      {Array.isArray(r.tags) ? <Typography.Text type="secondary"> → {(r.tags as string[]).join('、')}</Typography.Text> : null}
      {typeof r.number === 'string' ? <Typography.Text type="secondary"> → {r.number}</Typography.Text> : null}
      {typeof r.skipped === 'string' ? <Typography.Text type="secondary"> {r.skipped}</Typography.Text> : null}
      {a.error ? <Typography.Text type="danger" className="aut-error"> {a.error}</Typography.Text> : null}
    </div>
  );
}

/** The run log: runs per day as a chart, every run with each action's outcome. */
export default function RunsPage({ ruleId, mobile }: { ruleId: string; mobile: boolean }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<string | undefined>();
  const rules = useLoad<{ items: Rule[] }>('/api/automation/rules').data?.items ?? [];
  const q = new URLSearchParams({ limit: '200', ...(ruleId ? { rule_id: ruleId } : {}), ...(outcome ? { outcome } : {}) });
  const runs = useLoad<{ items: Run[] }>(`/api/automation/runs?${q}`);
  const daily = useLoad<{ items: DailyRuns[] }>(`/api/automation/runs/daily?days=14${ruleId ? `&rule_id=${encodeURIComponent(ruleId)}` : ''}`);
  const reload = () => Promise.all([runs.reload(), daily.reload()]);

  const option = useMemo(() => {
    const items = daily.data?.items ?? [];
    const shown = (['succeeded', 'failed', 'skipped'] as const);
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, data: shown.map((o) => t(`automation.runs.outcome.${o}`)) },
      grid: { left: 36, right: 12, top: 12, bottom: 40 },
      xAxis: { type: 'category', data: items.map((d) => d.date.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: shown.map((o) => ({ name: t(`automation.runs.outcome.${o}`), type: 'bar', stack: 'runs', barMaxWidth: 26, itemStyle: { color: CHART_COLOR[o] }, data: items.map((d) => d[o]) })),
    };
  }, [daily.data, t]);

  const columns: ColumnsType<Run> = [
    { title: t('automation.runs.time'), width: 140, render: (_, r) => <Tooltip title={dayjs(r.created_at).format('YYYY-MM-DD HH:mm:ss')}>{dayjs(r.created_at).format('MM-DD HH:mm:ss')}</Tooltip> },
    { title: t('automation.runs.rule'), width: 180, render: (_, r) => <span data-testid="run-rule">{r.rule_name}</span> },
    { title: t('automation.runs.trigger'), width: 140, render: (_, r) => t(`automation.events.${r.trigger}`, { defaultValue: r.trigger.startsWith('date_field') ? t('automation.trigger.date_field') : r.trigger }) },
    { title: t('automation.runs.outcomeCol'), width: 100, render: (_, r) => <Tag color={OUTCOME_COLOR[r.outcome]} className="tag-compact" data-testid="run-outcome" data-outcome={r.outcome}>{t(`automation.runs.outcome.${r.outcome}`)}</Tag> },
    { title: t('automation.runs.actions'), render: (_, r) => (r.outcome === 'skipped' ? <Typography.Text type="secondary">{r.error}</Typography.Text> : r.actions.map((a) => <ActionOutcome key={a.idx} a={a} />)) },
  ];

  return (
    <div className="tr-page" data-testid="automation-runs">
      <PageHeader title={t('automation.nav.runs')} desc={t('automation.runs.desc')} />
      <Card size="small" title={t('automation.runs.perDay')} style={{ marginBottom: 12 }}>
        <Suspense fallback={null}><Chart option={option} height={mobile ? 180 : 200} testId="runs-chart" /></Suspense>
      </Card>
      <div className="tr-filters">
        <Select allowClear showSearch optionFilterProp="label" placeholder={t('automation.runs.allRules')} style={{ width: mobile ? '100%' : 260 }} value={ruleId || undefined}
          onChange={(v?: string) => navigate(v ? `/automation/runs/${encodeURIComponent(v)}` : '/automation/runs')} options={rules.map((r) => ({ value: r.id, label: r.name }))} data-testid="runs-rule" />
        <Select allowClear placeholder={t('automation.runs.outcomeCol')} style={{ width: 130 }} value={outcome} onChange={setOutcome} options={RUN_OUTCOMES.map((o) => ({ value: o, label: t(`automation.runs.outcome.${o}`) }))} />
        <Button icon={<ReloadOutlined />} onClick={() => void reload()} data-testid="runs-reload" aria-label={t('admin.reload')} />
      </div>
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<Run> rowKey="id" size="small" loading={runs.loading} dataSource={runs.data?.items ?? []} pagination={{ pageSize: 20, showSizeChanger: false }}
          columns={mobile ? columns.filter((_, i) => [1, 3, 4].includes(i)) : columns} locale={{ emptyText: t('automation.runs.empty') }}
          onRow={(r) => ({ 'data-testid': 'run-row', 'data-rule': r.rule_id, 'data-outcome': r.outcome } as React.HTMLAttributes<HTMLElement>)} />
      </Card>
    </div>
  );
}
