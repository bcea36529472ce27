import { useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, Card, Col, Empty, Form, Input, Modal, Progress, Row, Segmented, Select, Space, Spin, Tag, Tooltip, Typography, Upload } from 'antd';
import { BranchesOutlined, CheckOutlined, CloseOutlined, InboxOutlined, MergeCellsOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { itemsOf, PageHeader, reason, useIntents } from './common';
import { jobPercent, useUploadJob } from './jobs';
import type { Candidate } from './types';

const DONE = new Set(['accepted', 'merged', 'dismissed']);
type Dialog = { kind: 'accept' | 'merge'; c: Candidate } | null;

export default function MiningPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const { intents, reload: reloadIntents } = useIntents();
  const [items, setItems] = useState<Candidate[]>([]);
  const [loading, setLoading] = useState(true);
  const [view, setView] = useState<'open' | 'done'>('open');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; answer: string; category?: string; intent_id?: string }>();

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api<{ items: Candidate[] }>('/api/knowledge/chatlogs/candidates?status=all');
      setItems(itemsOf(r));
    } catch (e) {
      toast.error(t('training.common.loadFailed', { reason: reason(e) }));
    } finally {
      setLoading(false);
    }
  }, [toast, t]);
  useEffect(() => {
    void load();
  }, [load]);

  const { state, start, reset } = useUploadJob(() => void load());
  const running = state.phase === 'uploading' || state.phase === 'running';
  const job = 'job' in state ? state.job : null;

  const intentName = useMemo(() => new Map(intents.map((i) => [i.id, i.name])), [intents]);
  const shown = useMemo(
    () => items.filter((c) => (view === 'open' ? !DONE.has(c.status) : DONE.has(c.status))).sort((a, b) => b.count - a.count),
    [items, view],
  );
  const openCount = items.filter((c) => !DONE.has(c.status)).length;

  const act = async (c: Candidate, action: 'accept' | 'merge' | 'dismiss', body: object = {}) => {
    setBusy(c.id);
    try {
      await api(`/api/knowledge/chatlogs/candidates/${encodeURIComponent(c.id)}/${action}`, { method: 'POST', body });
      const status = action === 'accept' ? 'accepted' : action === 'merge' ? 'merged' : 'dismissed';
      setItems((prev) => prev.map((x) => (x.id === c.id ? { ...x, status } : x)));
      toast.success(t(`training.mining.${action}Ok`));
      if (action !== 'dismiss') void reloadIntents();
      setDialog(null);
    } catch (e) {
      toast.error(t('training.common.saveFailed', { reason: reason(e) }));
    } finally {
      setBusy(null);
    }
  };

  const openDialog = (kind: 'accept' | 'merge', c: Candidate) => {
    form.resetFields();
    form.setFieldsValue(kind === 'accept' ? { name: c.label, answer: c.suggested_answer ?? '', category: undefined } : { intent_id: c.suggested_intent_id ?? undefined });
    setDialog({ kind, c });
  };

  const submitDialog = async () => {
    if (!dialog) return;
    const v = await form.validateFields();
    if (dialog.kind === 'accept') await act(dialog.c, 'accept', { name: v.name.trim(), answer: v.answer.trim(), ...(v.category?.trim() ? { category: v.category.trim() } : {}) });
    else await act(dialog.c, 'merge', { intent_id: v.intent_id });
  };

  return (
    <div className="tr-page" data-testid="mining-page">
      <PageHeader title={t('training.nav.mining')} desc={t('training.mining.desc')} extra={<Button icon={<ReloadOutlined />} onClick={() => void load()} />} />
      <Card className="tr-card" style={{ marginBottom: 16 }}>
        {state.phase === 'idle' || state.phase === 'done' || state.phase === 'failed' ? (
          <>
            <Upload.Dragger
              accept=".csv,.xlsx,.xls,.txt,.json,.jsonl"
              multiple={false}
              showUploadList={false}
              beforeUpload={(file) => {
                void start('/api/knowledge/chatlogs', file);
                return false;
              }}
              style={{ padding: '4px 0' }}
              data-testid="chatlog-upload"
            >
              <p className="ant-upload-drag-icon" style={{ marginBottom: 8 }}>
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{t('training.mining.drop')}</p>
              <p className="ant-upload-hint">{t('training.mining.dropHint')}</p>
            </Upload.Dragger>
            {state.phase === 'done' ? (
              <Typography.Paragraph type="success" style={{ marginTop: 8, marginBottom: 0 }}>
                <CheckOutlined /> {t('training.mining.done', { name: state.filename, n: job?.processed ?? 0 })}{' '}
                <a onClick={reset}>{t('training.common.close')}</a>
              </Typography.Paragraph>
            ) : null}
            {state.phase === 'failed' ? (
              <Typography.Paragraph type="danger" style={{ marginTop: 8, marginBottom: 0 }}>
                {t('training.mining.failed', { reason: state.error ?? '' })}
              </Typography.Paragraph>
            ) : null}
          </>
        ) : (
          <div className="job-box" data-testid="chatlog-progress">
            <Typography.Text strong>{state.filename}</Typography.Text>
            <Progress percent={state.phase === 'uploading' ? 5 : jobPercent(job)} status="active" />
            <Typography.Text type="secondary">
              {state.phase === 'uploading' ? t('training.io.uploading') : job ? t('training.mining.progress', { processed: job.processed, total: job.total }) : t('training.io.queued')}
            </Typography.Text>
          </div>
        )}
      </Card>

      <div className="tr-filters">
        <Segmented
          value={view}
          onChange={(v) => setView(v as 'open' | 'done')}
          options={[
            { value: 'open', label: `${t('training.mining.open')} (${openCount})` },
            { value: 'done', label: `${t('training.mining.handled')} (${items.length - openCount})` },
          ]}
        />
        {running ? <Spin size="small" /> : null}
      </div>
      {loading && !items.length ? (
        <div className="center-pad">
          <Spin />
        </div>
      ) : shown.length === 0 ? (
        <Card className="tr-card">
          <Empty description={view === 'open' ? t('training.mining.empty') : t('training.mining.emptyDone')} />
        </Card>
      ) : (
        <Row gutter={[16, 16]} data-testid="candidates">
          {shown.map((c) => (
            <Col xs={24} lg={12} xxl={8} key={c.id}>
              <Card
                className="tr-card cand-card"
                size="small"
                data-testid="candidate"
                title={
                  <Space size={6}>
                    <BranchesOutlined style={{ color: '#722ed1' }} />
                    <span>{c.label}</span>
                  </Space>
                }
                extra={
                  <Tooltip title={t('training.mining.countHint')}>
                    <Tag color="purple">{t('training.mining.count', { n: c.count })}</Tag>
                  </Tooltip>
                }
                actions={
                  DONE.has(c.status)
                    ? [<Tag key="s" color={c.status === 'dismissed' ? 'default' : 'success'}>{t(`training.mining.status.${c.status}`)}</Tag>]
                    : [
                        <Button key="a" type="link" size="small" icon={<CheckOutlined />} onClick={() => openDialog('accept', c)} data-testid="cand-accept">
                          {t('training.mining.accept')}
                        </Button>,
                        <Button key="m" type="link" size="small" icon={<MergeCellsOutlined />} onClick={() => openDialog('merge', c)} data-testid="cand-merge">
                          {t('training.mining.merge')}
                        </Button>,
                        <Button key="d" type="link" size="small" danger icon={<CloseOutlined />} loading={busy === c.id} onClick={() => void act(c, 'dismiss')} data-testid="cand-dismiss">
                          {t('training.mining.dismiss')}
                        </Button>,
                      ]
                }
              >
                <ul className="cand-examples">
                  {c.examples.slice(0, 5).map((e, i) => (
                    <li key={i}>{e}</li>
                  ))}
                </ul>
                {c.examples.length > 5 ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('training.mining.more', { n: c.examples.length - 5 })}
                  </Typography.Text>
                ) : null}
                {c.suggested_intent_id ? (
                  <div className="cand-line">
                    <span className="cand-k">{t('training.mining.nearest')}</span>
                    <Tag color="blue">{intentName.get(c.suggested_intent_id) ?? c.suggested_intent ?? c.suggested_intent_id}</Tag>
                  </div>
                ) : null}
                {c.suggested_answer ? (
                  <div className="cand-line">
                    <span className="cand-k">{t('training.mining.suggested')}</span>
                    <Typography.Paragraph ellipsis={{ rows: 3, expandable: true, symbol: t('training.common.more') }} style={{ margin: 0, flex: 1 }}>
                      {c.suggested_answer}
                    </Typography.Paragraph>
                  </div>
                ) : null}
              </Card>
            </Col>
          ))}
        </Row>
      )}

      <Modal
        open={!!dialog}
        title={dialog?.kind === 'accept' ? t('training.mining.acceptTitle') : t('training.mining.mergeTitle')}
        onCancel={() => setDialog(null)}
        onOk={() => void submitDialog()}
        confirmLoading={!!dialog && busy === dialog.c.id}
        okText={dialog?.kind === 'accept' ? t('training.mining.accept') : t('training.mining.merge')}
        forceRender
      >
        {dialog ? (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('training.mining.dialogHint', { label: dialog.c.label, n: dialog.c.count })}
          </Typography.Paragraph>
        ) : null}
        <Form form={form} layout="vertical">
          {dialog?.kind === 'accept' ? (
            <>
              <Form.Item name="name" label={t('training.mining.intentName')} rules={[{ required: true, whitespace: true }]}>
                <Input data-testid="accept-name" />
              </Form.Item>
              <Form.Item name="category" label={t('training.common.category')}>
                <Input />
              </Form.Item>
              <Form.Item name="answer" label={t('training.mining.answer')} rules={[{ required: true, whitespace: true }]} extra={t('training.mining.answerHint')}>
                <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} data-testid="accept-answer" />
              </Form.Item>
            </>
          ) : null}
          {dialog?.kind === 'merge' ? (
            <Form.Item name="intent_id" label={t('training.mining.mergeInto')} rules={[{ required: true }]}>
              <Select showSearch optionFilterProp="label" options={intents.map((i) => ({ value: i.id, label: i.name }))} data-testid="merge-intent" />
            </Form.Item>
          ) : null}
        </Form>
      </Modal>
    </div>
  );
}
