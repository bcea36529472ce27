import { useState } from 'react';
import { App as AntApp, Button, Card, Col, Empty, Input, Progress, Row, Segmented, Select, Space, Tag, Tooltip, Typography } from 'antd';
import {
  CheckCircleOutlined,
  ExclamationCircleOutlined,
  FrownOutlined,
  MehOutlined,
  QuestionCircleOutlined,
  RobotOutlined,
  SendOutlined,
  SmileOutlined,
  StopOutlined,
  ThunderboltOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { MessageBody } from '../components/MessageView';
import { PageHeader, pct, reason, scoreColor } from './common';
import { answerOf, CHANNELS, TIERS, type Band, type TestResult } from './types';

const BAND_COLOR: Record<Band, string> = { answer: 'success', clarify: 'warning', fallback: 'error' };
const BAND_ICON: Record<Band, React.ReactNode> = { answer: <CheckCircleOutlined />, clarify: <QuestionCircleOutlined />, fallback: <ExclamationCircleOutlined /> };
const SAMPLES = ['怎么开发票', '我买的精华过敏了，我要投诉！', '快递到哪了，三天没更新', '敏感肌能用舒缓面霜吗', '今天天气怎么样'];
const ANY = '*';

export default function TestConsolePage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [text, setText] = useState('');
  const [tier, setTier] = useState<string>(ANY);
  const [channel, setChannel] = useState<string>(ANY);
  const [use, setUse] = useState<'draft' | 'published'>('draft');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [history, setHistory] = useState<string[]>([]);

  const run = async (input = text) => {
    const s = input.trim();
    if (!s) return;
    setRunning(true);
    try {
      const r = await api<TestResult>('/api/knowledge/test', {
        body: { text: s, use, ...(tier !== ANY ? { tier } : {}), ...(channel !== ANY ? { channel } : {}) },
      });
      setResult(r);
      setHistory((h) => [s, ...h.filter((x) => x !== s)].slice(0, 8));
    } catch (e) {
      toast.error(t('training.test.failed', { reason: reason(e) }));
    } finally {
      setRunning(false);
    }
  };

  const senti = result?.sentiment;
  const answer = result ? answerOf(result) : null;
  const sentiIcon = senti ? (senti.label === 'negative' ? <FrownOutlined /> : senti.label === 'positive' ? <SmileOutlined /> : <MehOutlined />) : null;

  return (
    <div className="tr-page" data-testid="test-page">
      <PageHeader title={t('training.nav.test')} desc={t('training.test.desc')} />
      <Card className="tr-card" styles={{ body: { paddingBottom: 12 } }}>
        <Input.TextArea
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void run();
            }
          }}
          placeholder={t('training.test.placeholder')}
          autoSize={{ minRows: 2, maxRows: 5 }}
          data-testid="test-input"
        />
        <div className="test-bar">
          <Space wrap>
            <Select
              value={tier}
              onChange={setTier}
              style={{ width: 130 }}
              options={[{ value: ANY, label: t('training.faqs.anyTier') }, ...TIERS.map((x) => ({ value: x, label: t(`tiers.${x}`) }))]}
              data-testid="test-tier"
            />
            <Select
              value={channel}
              onChange={setChannel}
              style={{ width: 140 }}
              options={[{ value: ANY, label: t('training.faqs.anyChannel') }, ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))]}
              data-testid="test-channel"
            />
            <Segmented
              value={use}
              onChange={(v) => setUse(v as 'draft' | 'published')}
              options={[
                { value: 'draft', label: t('training.test.draft') },
                { value: 'published', label: t('training.test.published') },
              ]}
              data-testid="test-use"
            />
          </Space>
          <Button type="primary" icon={<SendOutlined />} loading={running} onClick={() => void run()} disabled={!text.trim()} data-testid="test-run">
            {t('training.test.run')}
          </Button>
        </div>
        <div className="test-samples">
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {history.length ? t('training.test.recent') : t('training.test.samples')}
          </Typography.Text>
          {(history.length ? history : SAMPLES).map((s) => (
            <Tag
              key={s}
              className="test-chip"
              onClick={() => {
                setText(s);
                void run(s);
              }}
            >
              {s}
            </Tag>
          ))}
        </div>
      </Card>

      {!result ? (
        <Card className="tr-card" style={{ marginTop: 16 }}>
          <Empty description={t('training.test.empty')} />
        </Card>
      ) : (
        <div data-testid="test-result" style={{ marginTop: 16 }}>
          <Row gutter={[16, 16]}>
            <Col xs={24}>
              <Card className="tr-card" size="small">
                <div className="test-summary">
                  <Tag color={BAND_COLOR[result.band]} icon={BAND_ICON[result.band]} className="test-band" data-testid="test-band" data-band={result.band}>
                    {t(`training.test.band.${result.band}`)}
                  </Tag>
                  {result.out_of_scope ? (
                    <Tag color="default" icon={<StopOutlined />} data-testid="test-oos">
                      {t('training.test.outOfScope')}
                    </Tag>
                  ) : null}
                  {result.sentiment.complaint ? (
                    <Tag color="red" icon={<WarningOutlined />} data-testid="test-complaint">
                      {t('training.test.complaint')}
                    </Tag>
                  ) : null}
                  {result.sensitive.blocked.length ? <Tag color="red">{t('training.test.hasBlocked')}</Tag> : null}
                  <span style={{ flex: 1 }} />
                  <Typography.Text type="secondary">
                    <ThunderboltOutlined /> {t('training.test.ms', { ms: result.ms.toFixed ? Number(result.ms.toFixed(2)) : result.ms })} · {t(`training.test.${use}`)}
                  </Typography.Text>
                </div>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card className="tr-card" size="small" title={t('training.test.analysis')}>
                <div className="test-kv">
                  <span className="test-k">{t('training.test.input')}</span>
                  <span>{result.input}</span>
                </div>
                <div className="test-kv">
                  <span className="test-k">{t('training.test.normalized')}</span>
                  <span data-testid="test-normalized">{result.normalized}</span>
                </div>
                <div className="test-kv">
                  <span className="test-k">{t('training.test.tokens')}</span>
                  <span className="test-tokens" data-testid="test-tokens">
                    {result.tokens.map((tk, i) => (
                      <Tag key={i} color="geekblue" bordered={false}>
                        {tk}
                      </Tag>
                    ))}
                  </span>
                </div>
                <div className="test-section-title">{t('training.test.intents')}</div>
                {result.intents.length === 0 ? (
                  <Typography.Text type="secondary">{t('training.test.noIntent')}</Typography.Text>
                ) : (
                  <div data-testid="test-intents">
                    {result.intents.slice(0, 5).map((it, i) => (
                      <div className="test-intent" key={it.intent_id} data-testid="test-intent" data-name={it.name}>
                        <span className={`test-intent-name${i === 0 ? ' test-intent-top' : ''}`}>{it.name}</span>
                        <Progress
                          percent={Math.round(it.confidence * 1000) / 10}
                          strokeColor={scoreColor(it.confidence, 0.7, 0.4)}
                          size="small"
                          style={{ flex: 1, margin: 0 }}
                          format={(p) => `${p?.toFixed(1)}%`}
                        />
                      </div>
                    ))}
                  </div>
                )}
                <div className="test-section-title">{t('training.test.sentiment')}</div>
                <div className="test-senti" data-testid="test-sentiment">
                  <span className={`test-senti-icon test-senti-${senti!.label}`}>{sentiIcon}</span>
                  <div style={{ flex: 1 }}>
                    <div className="test-senti-bar">
                      <div className="test-senti-mid" />
                      <div
                        className="test-senti-fill"
                        style={{
                          left: senti!.score < 0 ? `${50 + senti!.score * 50}%` : '50%',
                          width: `${Math.abs(senti!.score) * 50}%`,
                          background: senti!.score < 0 ? '#ff7875' : '#95de64',
                        }}
                      />
                    </div>
                    <Space size={4} wrap style={{ marginTop: 6 }}>
                      <Typography.Text strong>{senti!.score.toFixed(2)}</Typography.Text>
                      <Tag>{t(`training.test.sentimentLabel.${senti!.label}`)}</Tag>
                      {senti!.cues.map((c) => (
                        <Tag key={c} color="volcano" bordered={false}>
                          {c}
                        </Tag>
                      ))}
                    </Space>
                  </div>
                </div>
                <div className="test-section-title">{t('training.test.sensitive')}</div>
                {result.sensitive.flagged.length + result.sensitive.blocked.length === 0 ? (
                  <Typography.Text type="secondary">{t('training.test.noSensitive')}</Typography.Text>
                ) : (
                  <Space size={4} wrap data-testid="test-sensitive">
                    {result.sensitive.blocked.map((w) => (
                      <Tag key={`b-${w}`} color="red">
                        {t('training.dict.block')} · {w}
                      </Tag>
                    ))}
                    {result.sensitive.flagged.map((w) => (
                      <Tag key={`f-${w}`} color="orange">
                        {t('training.dict.flag')} · {w}
                      </Tag>
                    ))}
                  </Space>
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card className="tr-card" size="small" title={<Space><RobotOutlined />{t('training.test.answer')}</Space>} data-testid="test-answer-card">
                {answer ? (
                  <div className="test-answer" data-testid="test-answer">
                    <div className="msg-bubble msg-bubble-bot">
                      <MessageBody content={answer.content} />
                    </div>
                    <Space size={4} wrap style={{ marginTop: 6 }}>
                      {answer.question ? (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t('training.test.fromFaq', { q: answer.question })}
                        </Typography.Text>
                      ) : null}
                      <Tag className="tag-compact">{answer.tier ? t(`tiers.${answer.tier}`, { defaultValue: answer.tier }) : t('training.faqs.anyTier')}</Tag>
                      <Tag className="tag-compact">{answer.channel ? t(`channel.${answer.channel}`) : t('training.faqs.anyChannel')}</Tag>
                    </Space>
                  </div>
                ) : (
                  <Typography.Text type="secondary" data-testid="test-no-answer">
                    {t(`training.test.noAnswer.${result.band}`)}
                  </Typography.Text>
                )}
              </Card>
              <Card className="tr-card" size="small" title={t('training.test.faqs')} style={{ marginTop: 16 }}>
                {result.faqs.length === 0 ? (
                  <Typography.Text type="secondary">{t('training.test.noFaq')}</Typography.Text>
                ) : (
                  <div data-testid="test-faqs">
                    {result.faqs.slice(0, 5).map((f, i) => (
                      <div className="test-faq" key={f.faq_id}>
                        <div className="test-faq-head">
                          <span className="test-faq-rank">{i + 1}</span>
                          <span className="test-faq-q">{f.question}</span>
                          <Tooltip title={t('training.test.score')}>
                            <Tag color={f.score >= 0.7 ? 'green' : f.score >= 0.4 ? 'orange' : 'default'}>{pct(f.score)}</Tag>
                          </Tooltip>
                        </div>
                        <div className="test-why">
                          {f.why.map((w, j) => (
                            <Tag key={j} bordered={false} className="tag-compact">
                              {w}
                            </Tag>
                          ))}
                        </div>
                      </div>
                    ))}
                  </div>
                )}
              </Card>
            </Col>
          </Row>
        </div>
      )}
    </div>
  );
}
