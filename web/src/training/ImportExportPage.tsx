import { useState } from 'react';
import { App as AntApp, Alert, Button, Card, Col, Progress, Radio, Result, Row, Space, Statistic, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, FileExcelOutlined, FileTextOutlined, InboxOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { download } from '../api';
import { PageHeader, reason } from './common';
import { jobPercent, useUploadJob } from './jobs';

type Kind = 'faqs' | 'intents';
const ACCEPT = '.csv,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel';

export default function ImportExportPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [kind, setKind] = useState<Kind>('faqs');
  const { state, start, reset } = useUploadJob();
  const [exporting, setExporting] = useState<string | null>(null);

  const busy = state.phase === 'uploading' || state.phase === 'running';
  const job = 'job' in state ? state.job : null;

  const exp = async (k: Kind, format: 'csv' | 'xlsx') => {
    const key = `${k}-${format}`;
    setExporting(key);
    try {
      await download(`/api/knowledge/export?kind=${k}&format=${format}`, `kefu-${k}.${format}`);
    } catch (e) {
      toast.error(t('training.io.exportFailed', { reason: reason(e) }));
    } finally {
      setExporting(null);
    }
  };

  return (
    <div className="tr-page" data-testid="import-page">
      <PageHeader title={t('training.nav.import')} desc={t('training.io.desc')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card className="tr-card" title={t('training.io.import')}>
            <Space direction="vertical" style={{ width: '100%' }} size={12}>
              <Radio.Group value={kind} onChange={(e) => setKind(e.target.value)} optionType="button" buttonStyle="solid" disabled={busy}>
                <Radio.Button value="faqs">{t('training.io.kinds.faqs')}</Radio.Button>
                <Radio.Button value="intents">{t('training.io.kinds.intents')}</Radio.Button>
              </Radio.Group>
              <Alert type="info" showIcon message={t(`training.io.columns.${kind}`)} />
              {state.phase === 'idle' ? (
                <Upload.Dragger
                  accept={ACCEPT}
                  multiple={false}
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void start(`/api/knowledge/import?kind=${kind}`, file);
                    return false;
                  }}
                  data-testid="import-upload"
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined />
                  </p>
                  <p className="ant-upload-text">{t('training.io.drop')}</p>
                  <p className="ant-upload-hint">{t('training.io.dropHint')}</p>
                </Upload.Dragger>
              ) : null}
              {busy ? (
                <div className="job-box" data-testid="import-progress">
                  <Typography.Text strong>{state.filename}</Typography.Text>
                  <Progress percent={state.phase === 'uploading' ? 5 : jobPercent(job)} status="active" />
                  <Typography.Text type="secondary">
                    {state.phase === 'uploading'
                      ? t('training.io.uploading')
                      : job
                        ? t('training.io.progress', { processed: job.processed, total: job.total, created: job.created, updated: job.updated, errors: job.errors.length })
                        : t('training.io.queued')}
                  </Typography.Text>
                </div>
              ) : null}
              {state.phase === 'done' || state.phase === 'failed' ? (
                <div data-testid="import-result">
                  {state.phase === 'failed' && !job ? (
                    <Result status="error" title={t('training.io.failed')} subTitle={state.error} />
                  ) : (
                    <>
                      <Result
                        status={state.phase === 'failed' ? 'error' : job && job.errors.length ? 'warning' : 'success'}
                        title={state.phase === 'failed' ? t('training.io.failed') : t('training.io.done', { name: state.filename })}
                        subTitle={state.error}
                        style={{ padding: '16px 0' }}
                      />
                      {job ? (
                        <Row gutter={16} style={{ textAlign: 'center', marginBottom: 16 }}>
                          <Col span={6}>
                            <Statistic title={t('training.io.total')} value={job.total} />
                          </Col>
                          <Col span={6}>
                            <Statistic title={t('training.io.created')} value={job.created} valueStyle={{ color: '#52c41a' }} />
                          </Col>
                          <Col span={6}>
                            <Statistic title={t('training.io.updated')} value={job.updated} valueStyle={{ color: '#1677ff' }} />
                          </Col>
                          <Col span={6}>
                            <Statistic title={t('training.io.errors')} value={job.errors.length} valueStyle={{ color: job.errors.length ? '#ff4d4f' : undefined }} />
                          </Col>
                        </Row>
                      ) : null}
                      {job && job.errors.length ? (
                        <Table
                          size="small"
                          rowKey={(r) => `${r.row}-${r.message}`}
                          dataSource={job.errors}
                          pagination={{ pageSize: 10, hideOnSinglePage: true }}
                          data-testid="import-errors"
                          columns={[
                            { title: t('training.io.row'), dataIndex: 'row', width: 90 },
                            { title: t('training.io.error'), dataIndex: 'message', render: (v: string) => <Typography.Text type="danger">{v}</Typography.Text> },
                          ]}
                        />
                      ) : null}
                    </>
                  )}
                  <Button icon={<ReloadOutlined />} onClick={reset} style={{ marginTop: 12 }} data-testid="import-again">
                    {t('training.io.again')}
                  </Button>
                </div>
              ) : null}
            </Space>
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card className="tr-card" title={t('training.io.export')}>
            <Typography.Paragraph type="secondary">{t('training.io.exportHint')}</Typography.Paragraph>
            {(['faqs', 'intents'] as Kind[]).map((k) => (
              <div className="export-row" key={k}>
                <span className="export-kind">{t(`training.io.kinds.${k}`)}</span>
                <Space>
                  <Button icon={<FileTextOutlined />} loading={exporting === `${k}-csv`} onClick={() => void exp(k, 'csv')} data-testid={`export-${k}-csv`}>
                    CSV
                  </Button>
                  <Button icon={<FileExcelOutlined style={{ color: '#217346' }} />} loading={exporting === `${k}-xlsx`} onClick={() => void exp(k, 'xlsx')} data-testid={`export-${k}-xlsx`}>
                    Excel
                  </Button>
                </Space>
              </div>
            ))}
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12, marginBottom: 0 }}>
              <DownloadOutlined /> {t('training.io.roundTrip')}
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
