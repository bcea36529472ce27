import { useEffect, useMemo, useState } from 'react';
import { Alert, Empty, Spin, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import Chart from '../training/Chart';
import type { RoutingCandidate, RoutingDecision } from './types';

const STEPS = ['skill', 'team', 'load', 'rating', 'sticky', 'vip', 'region'] as const;
const STEP_COLORS: Record<(typeof STEPS)[number], string> = { skill: '#1677ff', team: '#13c2c2', load: '#52c41a', rating: '#faad14', sticky: '#722ed1', vip: '#eb2f96', region: '#fa8c16' };
const OUTCOME_COLOR = { assigned: 'blue', queued: 'orange', transferred: 'purple' } as const;

/** Each candidate's score as a stacked bar of its parts (skills, team, load, rating, stickiness, VIP). */
function ScoreChart({ candidates, chosen }: { candidates: RoutingCandidate[]; chosen: string | null }) {
  const { t } = useTranslation();
  const shown = candidates.filter((c) => c.eligible).slice(0, 6).reverse();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      grid: { left: 8, right: 16, top: 28, bottom: 4, containLabel: true },
      legend: { top: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', axisLabel: { fontSize: 10 } },
      yAxis: {
        type: 'category',
        data: shown.map((c) => (c.agent_id === chosen ? `★ ${c.name}` : c.name)),
        axisLabel: { fontSize: 11, width: 110, overflow: 'truncate' },
      },
      series: STEPS.map((s) => ({
        name: t(`ws.why.steps.${s}`),
        type: 'bar',
        stack: 'score',
        color: STEP_COLORS[s],
        barMaxWidth: 16,
        data: shown.map((c) => c.parts.find((p) => p.step === s)?.points ?? 0),
      })),
    }),
    [shown, chosen, t],
  );
  if (!shown.length) return null;
  return <Chart option={option} height={40 + shown.length * 30} testId="why-chart" />;
}

function Candidates({ d }: { d: RoutingDecision }) {
  const { t } = useTranslation();
  return (
    <div data-testid="why-candidates">
      <Table
        size="small"
        rowKey="agent_id"
        pagination={false}
        dataSource={d.candidates}
        rowClassName={(c) => (c.agent_id === d.agent_id ? 'why-chosen' : '')}
        columns={[
          { title: t('ws.why.agent'), dataIndex: 'name', ellipsis: true },
          {
            title: t('ws.why.score'),
            dataIndex: 'score',
            width: 64,
            align: 'right',
            render: (v: number, c) =>
              c.eligible ? (
                <Tooltip title={c.parts.map((p) => `${p.why}：+${p.points}`).join('\n')} overlayStyle={{ whiteSpace: 'pre-line' }}>
                  <b>{v}</b>
                </Tooltip>
              ) : (
                '—'
              ),
          },
          {
            title: t('ws.why.detail'),
            render: (_: unknown, c) =>
              c.eligible ? (
                <span className="why-parts">{c.parts.filter((p) => p.points > 0).map((p) => p.why).join('，')}</span>
              ) : (
                <Typography.Text type="secondary">{c.excluded}</Typography.Text>
              ),
          },
        ]}
      />
    </div>
  );
}

/**
 * 「为什么分配给我」: the conversation's routing decisions, newest first — the stored reason in
 * words, each candidate's score split into its parts (chart and table), and the history
 * (queued, assigned, transferred with notes).
 */
export default function WhyPanel({ conversationId, refreshKey }: { conversationId: string; refreshKey: string }) {
  const { t } = useTranslation();
  const [data, setData] = useState<{ decision: RoutingDecision | null; history: RoutingDecision[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api<{ decision: RoutingDecision | null; history: RoutingDecision[] }>(`/api/conversations/${encodeURIComponent(conversationId)}/routing`).then(
      (r) => live && setData(r),
      (e) => live && setError(errMsg(e)),
    );
    return () => {
      live = false;
    };
  }, [conversationId, refreshKey]);

  if (error) return <Alert type="error" showIcon message={error} />;
  if (!data) return <div className="center-pad"><Spin /></div>;
  const d = data.decision;
  if (!d) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ws.why.none')} />;
  return (
    <div className="why" data-testid="why-panel">
      <div className="side-section">
        <div className="why-head">
          <Tag color={OUTCOME_COLOR[d.outcome]}>{t(`ws.why.outcome.${d.outcome}`)}</Tag>
          {d.agent_name ? <b>{d.agent_name}</b> : d.team ? <b>{d.team}</b> : null}
          <span className="side-muted">{dayjs(d.created_at).format('MM-DD HH:mm:ss')}</span>
        </div>
        <div className="why-reason" data-testid="why-reason">
          {d.reason}
        </div>
        {d.note ? (
          <div className="why-note">
            {t('ws.why.note')}：{d.note}
          </div>
        ) : null}
      </div>
      {d.candidates.length ? (
        <div className="side-section">
          <div className="side-title">{t('ws.why.candidates')}</div>
          <ScoreChart candidates={d.candidates} chosen={d.agent_id} />
          <Candidates d={d} />
        </div>
      ) : null}
      {data.history.length > 1 ? (
        <div className="side-section">
          <div className="side-title">{t('ws.why.history')}</div>
          <Timeline
            items={data.history.map((h) => ({
              color: OUTCOME_COLOR[h.outcome],
              children: (
                <div className="why-hist">
                  <span className="side-muted">{dayjs(h.created_at).format('MM-DD HH:mm')}</span> {h.reason}
                </div>
              ),
            }))}
          />
        </div>
      ) : null}
    </div>
  );
}
