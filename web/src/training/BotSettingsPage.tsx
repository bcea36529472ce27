import { useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Alert, Button, Card, Col, Form, Input, InputNumber, Radio, Row, Select, Slider, Space, Spin, Switch, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import type { Rule } from 'antd/es/form';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { PageHeader, reason } from './common';

/** GET/PUT /api/bot/settings (server/src/bot/settings.ts) */
type Range = { start: string; end: string };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Weekday = (typeof WEEKDAYS)[number];
type HumanHours = {
  mode: 'weekly' | '24x7';
  timeZone: string;
  weekly: Record<Weekday, Range[]>;
  publicHolidays: 'cn' | 'none';
  /** kept as loaded (not edited on this page) */
  makeupDayHours?: Range[];
  customYears?: Record<string, { holidays: string[]; workdays: string[] }>;
  companyDaysOff?: string[];
};
export type BotSettings = {
  enabled: boolean;
  answer_threshold: number;
  clarify_threshold: number;
  ambiguity_margin: number;
  faq_margin: number;
  fallback_text: string;
  clarify_head: string;
  clarify_tail: string;
  handoff_text: string;
  offline_text: string;
  welcome_text: string;
  triggers: { explicit: boolean; repeat_count: number; sentiment_below: number; unanswered_count: number; vip_tiers: string[]; keywords: string[] };
  human_hours: HumanHours;
  soothing: { interval_s: number; max_count: number; text: string };
};

/** the form edits human_hours.publicHolidays as a switch */
type FormValues = Omit<BotSettings, 'human_hours'> & { human_hours: Pick<HumanHours, 'mode' | 'timeZone' | 'weekly'> & { holidays: boolean } };

const HHMM = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const minutes = (s: string) => (s === '24:00' ? 1440 : Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));
const ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'UTC'];

function toForm(s: BotSettings): FormValues {
  const h = s.human_hours;
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, h.weekly?.[d] ?? []])) as Record<Weekday, Range[]>;
  return { ...s, human_hours: { mode: h.mode, timeZone: h.timeZone, weekly, holidays: h.publicHolidays !== 'none' } };
}

function fromForm(v: FormValues, loaded: BotSettings): BotSettings {
  const { holidays, ...hours } = v.human_hours;
  return {
    ...loaded,
    ...v,
    clarify_tail: v.clarify_tail ?? '',
    triggers: { ...loaded.triggers, ...v.triggers, vip_tiers: clean(v.triggers.vip_tiers), keywords: clean(v.triggers.keywords) },
    soothing: { ...loaded.soothing, ...v.soothing },
    // fields the page does not edit (custom years, company days off …) are kept as loaded
    human_hours: { ...loaded.human_hours, ...hours, publicHolidays: holidays ? 'cn' : 'none' },
  };
}

const clean = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.trim()).filter(Boolean))];

export default function BotSettingsPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const [loaded, setLoaded] = useState<BotSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const mode = Form.useWatch(['human_hours', 'mode'], form);
  const answerAt = Form.useWatch('answer_threshold', form);
  const clarifyAt = Form.useWatch('clarify_threshold', form);
  const marginAt = Form.useWatch('ambiguity_margin', form);
  const faqMarginAt = Form.useWatch('faq_margin', form);
  const sentimentAt = Form.useWatch(['triggers', 'sentiment_below'], form);
  const valued = (label: string, v: number | undefined) => (
    <span>
      {label} <Tag style={{ marginInlineStart: 6 }}>{typeof v === 'number' ? v.toFixed(2) : '—'}</Tag>
    </span>
  );

  const load = useCallback(async () => {
    setError(null);
    try {
      const s = await api<BotSettings>('/api/bot/settings');
      setLoaded(s);
      form.setFieldsValue(toForm(s));
      setDirty(false);
    } catch (e) {
      setError(reason(e));
    }
  }, [form]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async () => {
    if (!loaded) return;
    let values: FormValues;
    try {
      await form.validateFields();
      // every value, also of fields not shown (the weekly hours while 7×24 is selected)
      values = form.getFieldsValue(true) as FormValues;
    } catch {
      toast.error(t('training.common.fixForm'));
      return;
    }
    setSaving(true);
    try {
      const s = await api<BotSettings>('/api/bot/settings', { method: 'PUT', body: fromForm(values, loaded) });
      setLoaded(s);
      form.setFieldsValue(toForm(s));
      setDirty(false);
      toast.success(t('training.bot.saved'));
    } catch (e) {
      toast.error(t('training.common.saveFailed', { reason: e instanceof ApiError && e.status === 403 ? t('training.bot.forbidden') : reason(e) }));
    } finally {
      setSaving(false);
    }
  };

  const required = (label: string): Rule => ({ required: true, whitespace: true, message: t('training.bot.required', { label }) });
  const text = (name: keyof BotSettings, max: number, opts: { optional?: boolean; rows?: number } = {}) => (
    <Form.Item name={name} label={t(`training.bot.texts.${name}`)} rules={opts.optional ? [{ max }] : [required(t(`training.bot.texts.${name}`)), { max }]}>
      <Input.TextArea autoSize={{ minRows: opts.rows ?? 2, maxRows: 5 }} showCount maxLength={max} data-testid={`bot-${name}`} />
    </Form.Item>
  );

  const sliderMarks = useMemo(() => ({ 0: '0', 0.5: '0.5', 1: '1' }), []);

  return (
    <div className="tr-page" data-testid="bot-settings-page">
      <PageHeader
        title={t('training.nav.bot')}
        desc={t('training.bot.desc')}
        extra={
          <Space>
            {dirty ? <Tag color="orange">{t('training.bot.unsaved')}</Tag> : null}
            <Button icon={<ReloadOutlined />} onClick={() => void load()} disabled={saving}>
              {t('training.bot.revert')}
            </Button>
            <Button type="primary" icon={<SaveOutlined />} loading={saving} disabled={!loaded} onClick={() => void save()} data-testid="bot-settings-save">
              {t('training.common.save')}
            </Button>
          </Space>
        }
      />
      {error ? <Alert type="error" showIcon message={t('training.common.loadFailed', { reason: error })} style={{ marginBottom: 16 }} /> : null}
      {!loaded && !error ? (
        <div className="center-pad">
          <Spin />
        </div>
      ) : null}
      <Form form={form} layout="vertical" hidden={!loaded} onValuesChange={() => setDirty(true)} scrollToFirstError>
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={12}>
            <Card title={t('training.bot.sections.basic')} size="small">
              <Form.Item name="enabled" label={t('training.bot.enabled')} valuePropName="checked" extra={t('training.bot.enabledHint')}>
                <Switch data-testid="bot-enabled" />
              </Form.Item>
              <Form.Item name="answer_threshold" label={valued(t('training.bot.answerThreshold'), answerAt)} extra={t('training.bot.answerThresholdHint')}>
                <Slider min={0} max={1} step={0.01} marks={sliderMarks} data-testid="bot-answer-threshold" />
              </Form.Item>
              <Form.Item
                name="clarify_threshold"
                label={valued(t('training.bot.clarifyThreshold'), clarifyAt)}
                extra={t('training.bot.clarifyThresholdHint')}
                dependencies={['answer_threshold']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_, v: number) => (v <= getFieldValue('answer_threshold') ? Promise.resolve() : Promise.reject(new Error(t('training.bot.thresholdOrder')))),
                  }),
                ]}
              >
                <Slider min={0} max={1} step={0.01} marks={sliderMarks} data-testid="bot-clarify-threshold" />
              </Form.Item>
              <Form.Item name="ambiguity_margin" label={valued(t('training.bot.ambiguityMargin'), marginAt)} extra={t('training.bot.ambiguityMarginHint')}>
                <Slider min={0} max={1} step={0.01} marks={sliderMarks} data-testid="bot-ambiguity-margin" />
              </Form.Item>
              <Form.Item name="faq_margin" label={valued(t('training.bot.faqMargin'), faqMarginAt)} extra={t('training.bot.faqMarginHint')}>
                <Slider min={0} max={1} step={0.01} marks={sliderMarks} />
              </Form.Item>
            </Card>

            <Card title={t('training.bot.sections.triggers')} size="small" style={{ marginTop: 16 }}>
              <Form.Item name={['triggers', 'explicit']} label={t('training.bot.triggers.explicit')} valuePropName="checked" extra={t('training.bot.triggers.explicitHint')}>
                <Switch />
              </Form.Item>
              <Row gutter={16}>
                <Col xs={24} sm={12}>
                  <Form.Item name={['triggers', 'repeat_count']} label={t('training.bot.triggers.repeat_count')} extra={t('training.bot.zeroOff')} rules={[{ required: true, type: 'integer', min: 0, max: 10 }]}>
                    <InputNumber min={0} max={10} precision={0} style={{ width: '100%' }} addonAfter={t('training.bot.times')} />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12}>
                  <Form.Item name={['triggers', 'unanswered_count']} label={t('training.bot.triggers.unanswered_count')} extra={t('training.bot.zeroOff')} rules={[{ required: true, type: 'integer', min: 0, max: 10 }]}>
                    <InputNumber min={0} max={10} precision={0} style={{ width: '100%' }} addonAfter={t('training.bot.turns')} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name={['triggers', 'sentiment_below']} label={valued(t('training.bot.triggers.sentiment_below'), sentimentAt)} extra={t('training.bot.triggers.sentimentHint')}>
                <Slider min={-1} max={1} step={0.05} marks={{ [-1]: '-1', 0: '0', 1: '1' }} />
              </Form.Item>
              <Form.Item name={['triggers', 'vip_tiers']} label={t('training.bot.triggers.vip_tiers')} extra={t('training.bot.triggers.vipHint')} rules={[{ type: 'array', max: 10 }]}>
                <Select mode="tags" tokenSeparators={[',', '，', ' ']} placeholder="VIP" open={false} suffixIcon={null} />
              </Form.Item>
              <Form.Item name={['triggers', 'keywords']} label={t('training.bot.triggers.keywords')} extra={t('training.bot.triggers.keywordsHint')} rules={[{ type: 'array', max: 100 }]}>
                <Select mode="tags" tokenSeparators={[',', '，']} placeholder="投诉, 12315" open={false} suffixIcon={null} data-testid="bot-keywords" />
              </Form.Item>
            </Card>

            <Card title={t('training.bot.sections.soothing')} size="small" style={{ marginTop: 16 }}>
              <Row gutter={16}>
                <Col xs={24} sm={12}>
                  <Form.Item name={['soothing', 'interval_s']} label={t('training.bot.soothing.interval')} rules={[{ required: true, type: 'integer', min: 15, max: 3600 }]}>
                    <InputNumber min={15} max={3600} precision={0} style={{ width: '100%' }} addonAfter={t('training.bot.seconds')} />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12}>
                  <Form.Item name={['soothing', 'max_count']} label={t('training.bot.soothing.max')} extra={t('training.bot.zeroOff')} rules={[{ required: true, type: 'integer', min: 0, max: 10 }]}>
                    <InputNumber min={0} max={10} precision={0} style={{ width: '100%' }} addonAfter={t('training.bot.times')} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name={['soothing', 'text']} label={t('training.bot.soothing.text')} rules={[required(t('training.bot.soothing.text')), { max: 600 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} showCount maxLength={600} />
              </Form.Item>
            </Card>
          </Col>

          <Col xs={24} xl={12}>
            <Card title={t('training.bot.sections.texts')} size="small">
              {text('welcome_text', 600)}
              {text('fallback_text', 600)}
              <Row gutter={16}>
                <Col xs={24} sm={12}>
                  {text('clarify_head', 200, { rows: 1 })}
                </Col>
                <Col xs={24} sm={12}>
                  {text('clarify_tail', 200, { optional: true, rows: 1 })}
                </Col>
              </Row>
              {text('handoff_text', 600)}
              {text('offline_text', 600)}
            </Card>

            <Card title={t('training.bot.sections.hours')} size="small" style={{ marginTop: 16 }}>
              <Row gutter={16}>
                <Col xs={24} sm={12}>
                  <Form.Item name={['human_hours', 'mode']} label={t('training.bot.hours.mode')}>
                    <Radio.Group optionType="button" buttonStyle="solid" data-testid="bot-hours-mode">
                      <Radio.Button value="weekly">{t('training.bot.hours.weekly')}</Radio.Button>
                      <Radio.Button value="24x7">{t('training.bot.hours.always')}</Radio.Button>
                    </Radio.Group>
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12}>
                  <Form.Item name={['human_hours', 'timeZone']} label={t('training.bot.hours.timeZone')} rules={[{ required: true }]}>
                    <Select showSearch options={ZONES.map((z) => ({ value: z, label: z }))} />
                  </Form.Item>
                </Col>
              </Row>
              {mode === '24x7' ? (
                <Alert type="info" showIcon message={t('training.bot.hours.alwaysHint')} />
              ) : (
                <>
                  <Form.Item name={['human_hours', 'holidays']} label={t('training.bot.hours.holidays')} valuePropName="checked" extra={t('training.bot.hours.holidaysHint')}>
                    <Switch data-testid="bot-holidays" />
                  </Form.Item>
                  <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8, fontSize: 13 }}>
                    {t('training.bot.hours.weeklyHint')}
                  </Typography.Text>
                  {WEEKDAYS.map((d) => (
                    <DayRanges key={d} day={d} />
                  ))}
                  <Form.Item
                    name={['human_hours', 'weekly']}
                    style={{ marginBottom: 0 }}
                    rules={[
                      {
                        validator: (_, w: Record<Weekday, Range[]> | undefined) =>
                          w && WEEKDAYS.some((d) => (w[d] ?? []).length) ? Promise.resolve() : Promise.reject(new Error(t('training.bot.hours.needOne'))),
                      },
                    ]}
                  >
                    <Noop />
                  </Form.Item>
                </>
              )}
            </Card>
          </Col>
        </Row>
      </Form>
    </div>
  );
}

/** holds the weekly-level rule (its message shows below); the value is edited by DayRanges */
function Noop(_: { value?: unknown; onChange?: unknown }) {
  return null;
}

function DayRanges({ day }: { day: Weekday }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<FormValues>();
  const time = (field: 'start' | 'end', index: number): Rule[] => [
    { required: true, message: t('training.bot.hours.timeRequired') },
    { pattern: HHMM, message: t('training.bot.hours.timeFormat') },
    ...(field === 'end'
      ? [
          {
            validator: (_: unknown, v: string) => {
              const ranges: Range[] = form.getFieldValue(['human_hours', 'weekly', day]) ?? [];
              const r = ranges[index];
              if (!r || !HHMM.test(r.start ?? '') || !HHMM.test(v ?? '')) return Promise.resolve();
              if (minutes(v) <= minutes(r.start)) return Promise.reject(new Error(t('training.bot.hours.endAfterStart')));
              const prev = ranges[index - 1];
              if (prev && HHMM.test(prev.end ?? '') && minutes(r.start) < minutes(prev.end)) return Promise.reject(new Error(t('training.bot.hours.overlap')));
              return Promise.resolve();
            },
          } as Rule,
        ]
      : []),
  ];
  return (
    <div className="bot-day" data-testid={`bot-day-${day}`}>
      <div className="bot-day-name">{t(`training.bot.days.${day}`)}</div>
      <Form.List name={['human_hours', 'weekly', day]}>
        {(fields, { add, remove }) => (
          <div className="bot-day-ranges">
            {fields.length === 0 ? <Tag>{t('training.bot.hours.closed')}</Tag> : null}
            {fields.map((f) => (
              <Space key={f.key} size={4} align="start" className="bot-range">
                <Form.Item name={[f.name, 'start']} rules={time('start', f.name)} style={{ marginBottom: 4 }}>
                  <Input placeholder="09:00" style={{ width: 76 }} maxLength={5} />
                </Form.Item>
                <span className="bot-range-dash">–</span>
                <Form.Item name={[f.name, 'end']} rules={time('end', f.name)} dependencies={[['human_hours', 'weekly', day, f.name, 'start']]} style={{ marginBottom: 4 }}>
                  <Input placeholder="21:00" style={{ width: 76 }} maxLength={5} />
                </Form.Item>
                <Button type="text" size="small" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('training.common.delete')} style={{ marginTop: 4 }} />
              </Space>
            ))}
            {fields.length < 4 ? (
              <Button
                type="dashed"
                size="small"
                icon={<PlusOutlined />}
                onClick={() => {
                  const ranges: Range[] = form.getFieldValue(['human_hours', 'weekly', day]) ?? [];
                  const last = ranges.at(-1);
                  add(last ? { start: last.end, end: '24:00' } : { start: '09:00', end: '21:00' });
                }}
              >
                {t('training.bot.hours.addRange')}
              </Button>
            ) : null}
          </div>
        )}
      </Form.List>
    </div>
  );
}
