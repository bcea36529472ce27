import { useCallback, useEffect, useRef, useState } from 'react';
import { App as AntApp, Alert, Badge, Button, Card, Col, Descriptions, Empty, Input, Modal, Popconfirm, Progress, Result, Row, Space, Statistic, Table, Tag, Timeline, Typography } from 'antd';
import { CheckCircleFilled, CloudUploadOutlined, HistoryOutlined, ReloadOutlined, RocketOutlined, RollbackOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { fmtTime, itemsOf, PageHeader, reason } from './common';
import type { KnowledgeStatus, PublishResult, Version } from './types';

type Phase = { kind: 'idle' } | { kind: 'note' } | { kind: 'training'; started: number } | { kind: 'done'; r: PublishResult } | { kind: 'failed'; reason: string };

export default function PublishPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [status, setStatus] = useState<KnowledgeStatus | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [loading, setLoading] = useState(true);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [note, setNote] = useState('');
  const [elapsed, setElapsed] = useState(0);
  const [rolling, setRolling] = useState<number | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [s, v] = await Promise.all([api<KnowledgeStatus>('/api/knowledge/status'), api<{ items: Version[] }>('/api/knowledge/versions')]);
      setStatus(s);
      setVersions(itemsOf(v).sort((a, b) => b.version - a.version));
    } catch (e) {
      toast.error(t('training.common.loadFailed', { reason: reason(e) }));
    } finally {
      setLoading(false);
    }
  }, [toast, t]);
  useEffect(() => {
    void load();
    return () => {
      if (timer.current) clearInterval(timer.current);
    };
  }, [load]);

  const publish = async () => {
    const started = Date.now();
    setPhase({ kind: 'training', started });
    setElapsed(0);
    timer.current = setInterval(() => setElapsed(Date.now() - started), 100);
    try {
      const r = await api<PublishResult>('/api/knowledge/publish', { method: 'POST', body: note.trim() ? { note: note.trim() } : {} });
      setPhase({ kind: 'done', r });
      setNote('');
      void load();
    } catch (e) {
      setPhase({ kind: 'failed', reason: e instanceof ApiError && e.status === 422 ? e.message : reason(e) });
    } finally {
      if (timer.current) clearInterval(timer.current);
    }
  };

  const rollback = async (v: number) => {
    setRolling(v);
    try {
      await api(`/api/knowledge/versions/${v}/rollback`, { method: 'POST', body: {} });
      toast.success(t('training.publish.rolledBack', { v }));
      await load();
    } catch (e) {
      toast.error(t('training.publish.rollbackFailed', { reason: reason(e) }));
    } finally {
      setRolling(null);
    }
  };

  const current = status?.published_version ?? null;
  // a curve that approaches 95% while the server trains (the real end is the answer)
  const fake = Math.round(95 * (1 - Math.exp(-elapsed / 2500)));

  return (
    <div className="tr-page" data-testid="publish-page">
      <PageHeader
        title={t('training.nav.publish')}
        desc={t('training.publish.desc')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void load()} />
            <Button type="primary" icon={<RocketOutlined />} onClick={() => setPhase({ kind: 'note' })} data-testid="publish-open">
              {t('training.publish.publish')}
            </Button>
          </Space>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card className="tr-card" loading={loading && !status} title={t('training.publish.status')} data-testid="publish-status">
            {status ? (
              <>
                <Row gutter={16}>
                  <Col span={12}>
                    <div data-testid="published-version" data-version={current ?? 0}>
                      <Statistic
                        title={t('training.publish.published')}
                        value={current != null && current > 0 ? `v${current}` : t('training.publish.none')}
                        valueStyle={{ color: '#1677ff' }}
                      />
                    </div>
                  </Col>
                  <Col span={12}>
                    <div className="ant-statistic-title" style={{ color: 'rgba(0,0,0,.45)', marginBottom: 4, fontSize: 14 }}>
                      {t('training.publish.draft')}
                    </div>
                    {status.draft_changed ? (
                      <Badge status="warning" text={<span data-testid="draft-changed">{t('training.publish.draftChanged')}</span>} />
                    ) : (
                      <Badge status="success" text={t('training.publish.draftSame')} />
                    )}
                  </Col>
                </Row>
                <Descriptions size="small" column={1} style={{ marginTop: 16 }}>
                  <Descriptions.Item label={t('training.publish.publishedAt')}>{fmtTime(status.published_at)}</Descriptions.Item>
                  {Object.entries(status.counts ?? {}).map(([k, n]) => (
                    <Descriptions.Item key={k} label={t(`training.publish.counts.${k}`, { defaultValue: k })}>
                      {n}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
                {status.draft_changed ? (
                  <Alert type="info" showIcon style={{ marginTop: 8 }} message={t('training.publish.draftHint')} />
                ) : null}
              </>
            ) : null}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card className="tr-card" title={<Space><HistoryOutlined />{t('training.publish.timeline')}</Space>} loading={loading && !versions.length}>
            {versions.length === 0 ? (
              <Empty description={t('training.publish.noVersions')} />
            ) : (
              <Timeline
                style={{ marginTop: 8, maxHeight: 320, overflow: 'auto', paddingTop: 6 }}
                items={versions.slice(0, 8).map((v) => ({
                  color: v.version === current ? 'green' : 'gray',
                  dot: v.version === current ? <CheckCircleFilled style={{ color: '#52c41a' }} /> : undefined,
                  children: (
                    <div>
                      <Space size={6}>
                        <b>v{v.version}</b>
                        {v.version === current ? <Tag color="green">{t('training.publish.current')}</Tag> : null}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {fmtTime(v.published_at)} · {v.published_by ?? '—'}
                        </Typography.Text>
                      </Space>
                      {v.note ? <div className="tr-note">{v.note}</div> : null}
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>
      <Card className="tr-card" title={t('training.publish.versions')} style={{ marginTop: 16 }} styles={{ body: { padding: 0 } }}>
        <Table<Version>
          rowKey="version"
          size="middle"
          loading={loading}
          dataSource={versions}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          data-testid="versions-table"
          columns={[
            {
              title: t('training.publish.version'),
              dataIndex: 'version',
              width: 110,
              render: (v: number) => (
                <Space size={4}>
                  <b>v{v}</b>
                  {v === current ? <Tag color="green" className="tag-compact">{t('training.publish.current')}</Tag> : null}
                </Space>
              ),
            },
            { title: t('training.publish.publishedAt'), dataIndex: 'published_at', width: 170, render: (v: string) => fmtTime(v) },
            { title: t('training.publish.by'), dataIndex: 'published_by', width: 140, render: (v: string | null) => v ?? '—' },
            { title: t('training.publish.note'), dataIndex: 'note', render: (v: string | null) => v || <Typography.Text type="secondary">—</Typography.Text> },
            {
              title: t('training.publish.countsCol'),
              dataIndex: 'counts',
              width: 200,
              render: (c: Version['counts']) =>
                c ? (
                  <Space size={4} wrap>
                    {Object.entries(c).map(([k, n]) => (
                      <Tag key={k} className="tag-compact">
                        {t(`training.publish.counts.${k}`, { defaultValue: k })} {n}
                      </Tag>
                    ))}
                  </Space>
                ) : (
                  '—'
                ),
            },
            {
              title: t('training.common.actions'),
              key: 'ops',
              width: 110,
              render: (_, v) =>
                v.version === current ? null : (
                  <Popconfirm
                    title={t('training.publish.rollbackConfirm', { v: v.version })}
                    description={t('training.publish.rollbackHint')}
                    onConfirm={() => rollback(v.version)}
                    okButtonProps={{ danger: true }}
                  >
                    <Button size="small" icon={<RollbackOutlined />} loading={rolling === v.version} data-testid={`rollback-${v.version}`}>
                      {t('training.publish.rollback')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>

      <Modal
        open={phase.kind !== 'idle'}
        title={<Space><CloudUploadOutlined />{t('training.publish.modalTitle')}</Space>}
        onCancel={() => phase.kind !== 'training' && setPhase({ kind: 'idle' })}
        closable={phase.kind !== 'training'}
        maskClosable={false}
        footer={
          phase.kind === 'note' ? (
            <Space>
              <Button onClick={() => setPhase({ kind: 'idle' })}>{t('training.common.cancel')}</Button>
              <Button type="primary" icon={<RocketOutlined />} onClick={() => void publish()} data-testid="publish-confirm">
                {t('training.publish.publishNow')}
              </Button>
            </Space>
          ) : phase.kind === 'training' ? null : (
            <Button type="primary" onClick={() => setPhase({ kind: 'idle' })} data-testid="publish-close">
              {t('training.common.close')}
            </Button>
          )
        }
      >
        {phase.kind === 'note' ? (
          <>
            <Typography.Paragraph type="secondary">{t('training.publish.noteHint')}</Typography.Paragraph>
            <Input.TextArea
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder={t('training.publish.notePlaceholder')}
              autoSize={{ minRows: 3 }}
              maxLength={500}
              showCount
              data-testid="publish-note"
            />
          </>
        ) : null}
        {phase.kind === 'training' ? (
          <div style={{ textAlign: 'center', padding: '16px 0' }} data-testid="publish-training">
            <Progress type="circle" percent={fake} status="active" format={() => `${(elapsed / 1000).toFixed(1)}s`} />
            <div style={{ marginTop: 12 }}>{t('training.publish.training')}</div>
          </div>
        ) : null}
        {phase.kind === 'done' ? (
          <div data-testid="publish-done" data-version={phase.r.version}>
            <Result
              status="success"
              title={t('training.publish.done', { v: phase.r.version })}
              subTitle={t('training.publish.doneSub', { ms: phase.r.train_ms, at: fmtTime(phase.r.published_at) })}
            />
          </div>
        ) : null}
        {phase.kind === 'failed' ? (
          <div data-testid="publish-failed">
            <Result status="error" title={t('training.publish.failed')} subTitle={phase.reason} />
          </div>
        ) : null}
      </Modal>
    </div>
  );
}
