import { useEffect, useState } from 'react';
import { Button, Card, Checkbox, Col, Drawer, Form, Input, InputNumber, Radio, Row, Segmented, Select, Space, Switch, TimePicker, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { FormProblems, useSave, useTeams, useUsers } from '../admin/common';
import { TIERS, ZONES } from '../admin/types';
import { useIntents } from '../training/common';
import { useTicketMeta } from '../tickets/common';
import { PRIORITIES } from '../tickets/types';
import { ACTION_TYPES, EVENTS, FALLBACKS, type Rule } from './types';

/** the form mirrors the API's rule JSON, so the server's error paths land on the fields */
type Values = { [key: string]: {} | undefined };

const CRON_PRESETS = ['0 9 * * *', '0 9 * * 1-5', '0 10 * * 1', '0 0 1 * *'];
const VARIABLES = ['name', 'tier', 'birthday', 'membership_expiry', 'score', 'occurrence'];
const NEW_RULE: Values = {
  name: '', enabled: true,
  trigger: { type: 'event', event: 'message.received' },
  conditions: {},
  actions: [{ type: 'tag', add: [] }],
};

/** Drops what the API treats as "not set": empty strings, empty lists, empty objects. */
function clean(v: unknown): unknown {
  if (dayjs.isDayjs(v)) return v;
  if (Array.isArray(v)) {
    const a = v.map(clean).filter((x) => x !== undefined);
    return a.length ? a : undefined;
  }
  if (v && typeof v === 'object') {
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)]).filter(([, x]) => x !== undefined));
    return Object.keys(o).length ? o : undefined;
  }
  return v === '' || v === null ? undefined : v;
}

/** HH:MM as text in the form, a time picker on screen */
function HhmmInput({ value, onChange, testId }: { value?: string; onChange?: (v: string) => void; testId?: string }) {
  return <TimePicker format="HH:mm" minuteStep={5} allowClear={false} value={value ? dayjs(value, 'HH:mm') : null} onChange={(d) => d && onChange?.(d.format('HH:mm'))} style={{ width: 110 }} data-testid={testId} />;
}

/** offset_days as "30 天 | 之前/当天/之后" (−30 = 30 days before) */
function OffsetDaysInput({ value = 0, onChange }: { value?: number; onChange?: (v: number) => void }) {
  const { t } = useTranslation();
  const dir = value < 0 ? -1 : value > 0 ? 1 : 0;
  return (
    <Space.Compact>
      {dir !== 0 ? <InputNumber min={1} max={366} value={Math.abs(value)} onChange={(n) => onChange?.(dir * (n ?? 1))} style={{ width: 90 }} addonAfter={t('automation.trigger.days')} data-testid="trigger-offset" /> : null}
      <Select
        value={dir}
        onChange={(d) => onChange?.(d * (Math.abs(value) || 30))}
        style={{ width: 100 }}
        options={[{ value: -1, label: t('automation.trigger.before') }, { value: 0, label: t('automation.trigger.onDay') }, { value: 1, label: t('automation.trigger.after') }]}
      />
    </Space.Compact>
  );
}

export default function RuleEditor({ rule, open, onClose, onSaved, mobile }: { rule: Rule | null; open: boolean; onClose: () => void; onSaved: () => Promise<void>; mobile: boolean }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const { saving, problems, setProblems, save } = useSave('/api/automation/rules', form, onSaved);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    if (!open) return setReady(false);
    setProblems([]);
    form.resetFields();
    if (rule) {
      const { id: _id, builtin: _b, created_at: _c, updated_at: _u, ...def } = rule;
      form.setFieldsValue(def as unknown as Values);
    } else form.setFieldsValue(NEW_RULE);
    setReady(true);
  }, [open, rule, form, setProblems]);

  const onSave = async () => {
    // only what is on screen: fields of an action type switched away from are not sent
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const body = (clean(v) ?? {}) as Values;
    body.actions ??= [];
    body.enabled = !!v.enabled;
    if (await save(rule?.id ?? null, body)) onClose();
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      width={mobile ? '100%' : 860}
      title={rule ? (rule.builtin ? t('automation.editor.editJourney') : t('automation.editor.edit')) : t('automation.editor.new')}
      destroyOnHidden
      extra={<Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="rule-save">{t('admin.save')}</Button>}
    >
      {ready ? (
        <Form form={form} layout="vertical" data-testid="rule-form" requiredMark={false}>
          <FormProblems problems={problems} />
          <Row gutter={12}>
            <Col xs={24} md={14}>
              <Form.Item name="name" label={t('admin.name')} rules={[{ required: true, message: t('admin.required') }]}>
                <Input maxLength={80} data-testid="rule-name" />
              </Form.Item>
            </Col>
            <Col xs={24} md={10}>
              <Form.Item name="enabled" label={t('automation.editor.enabled')} valuePropName="checked">
                <Switch data-testid="rule-enabled" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="description" label={t('automation.editor.description')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={500} />
          </Form.Item>
          <TriggerSection />
          <ConditionsSection />
          <ActionsSection />
        </Form>
      ) : null}
    </Drawer>
  );
}

function Section({ n, title, hint, children }: { n: number; title: string; hint?: string; children: React.ReactNode }) {
  return (
    <Card size="small" className="aut-section" title={<Space><span className="aut-step">{n}</span>{title}</Space>} extra={hint ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{hint}</Typography.Text> : null}>
      {children}
    </Card>
  );
}

function TriggerSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const type = Form.useWatch(['trigger', 'type'], form) as string | undefined;
  const field = Form.useWatch(['trigger', 'field'], form) as string | undefined;
  // switching the kind starts from that kind's defaults
  const onType = (v: string) =>
    form.setFieldValue('trigger', v === 'event' ? { type: v, event: 'message.received' } : v === 'cron' ? { type: v, cron: '0 9 * * 1-5', timezone: 'Asia/Shanghai' } : { type: v, field: 'membership_expiry', offset_days: -30, at: '10:00' });
  return (
    <Section n={1} title={t('automation.editor.when')}>
      <Form.Item name={['trigger', 'type']} style={{ marginBottom: 12 }}>
        <Segmented
          onChange={(v) => onType(String(v))}
          options={[
            { value: 'event', label: t('automation.trigger.event') },
            { value: 'cron', label: t('automation.trigger.cron') },
            { value: 'date_field', label: t('automation.trigger.date_field') },
          ]}
          data-testid="trigger-type"
        />
      </Form.Item>
      {type === 'event' ? (
        <Form.Item name={['trigger', 'event']} label={t('automation.trigger.whichEvent')}>
          <Select style={{ maxWidth: 320 }} options={EVENTS.map((e) => ({ value: e, label: t(`automation.events.${e}`) }))} data-testid="trigger-event" />
        </Form.Item>
      ) : null}
      {type === 'cron' ? (
        <Space wrap size={12} align="start">
          <Form.Item name={['trigger', 'cron']} label={t('automation.trigger.cronLabel')} extra={t('automation.trigger.cronHint')}>
            <Input style={{ width: 220 }} data-testid="trigger-cron" />
          </Form.Item>
          <Form.Item label={t('automation.trigger.presets')}>
            <Select style={{ width: 200 }} placeholder={t('automation.trigger.pickPreset')} onChange={(v: string) => form.setFieldValue(['trigger', 'cron'], v)} options={CRON_PRESETS.map((c) => ({ value: c, label: t(`automation.trigger.preset.${c.replace(/ /g, '_')}`) }))} />
          </Form.Item>
          <Form.Item name={['trigger', 'timezone']} label={t('admin.cal.zone')}>
            <Select showSearch style={{ width: 180 }} options={ZONES.map((z) => ({ value: z, label: z }))} />
          </Form.Item>
        </Space>
      ) : null}
      {type === 'date_field' ? (
        <Space wrap size={12} align="start">
          <Form.Item name={['trigger', 'field']} label={t('automation.trigger.field')}>
            <Select style={{ width: 150 }} options={(['birthday', 'membership_expiry'] as const).map((f) => ({ value: f, label: t(`automation.fields.${f}`) }))} data-testid="trigger-field" />
          </Form.Item>
          <Form.Item name={['trigger', 'offset_days']} label={t('automation.trigger.offset')}>
            <OffsetDaysInput />
          </Form.Item>
          <Form.Item name={['trigger', 'at']} label={t('automation.trigger.at')} extra={t('automation.trigger.atHint')}>
            <HhmmInput testId="trigger-at" />
          </Form.Item>
          <Form.Item name={['trigger', 'yearly']} label={t('automation.trigger.yearly')} valuePropName="checked" initialValue={field === 'birthday'}>
            <Switch />
          </Form.Item>
        </Space>
      ) : null}
    </Section>
  );
}

function ConditionsSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const { intents } = useIntents();
  const { meta } = useTicketMeta();
  const event = Form.useWatch(['trigger', 'event'], form) as string | undefined;
  const type = Form.useWatch(['trigger', 'type'], form) as string | undefined;
  const windowOn = Form.useWatch(['conditions', 'time_window'], form) as object | undefined;
  const ev = type === 'event' ? event : null;
  const tags = (name: string, label: string) => (
    <Form.Item name={['conditions', name]} label={label}>
      <Select mode="tags" tokenSeparators={[',', '，']} open={false} placeholder={t('automation.cond.tagsPlaceholder')} data-testid={`cond-${name}`} />
    </Form.Item>
  );
  return (
    <Section n={2} title={t('automation.editor.if')} hint={t('automation.editor.ifHint')}>
      {ev === 'message.received' ? (
        <Form.Item name={['conditions', 'text_matches']} label={t('automation.cond.text')} extra={t('automation.cond.textHint')}>
          <Input placeholder="退款|退货|发票" data-testid="cond-text" />
        </Form.Item>
      ) : null}
      {ev === 'survey.rated' ? (
        <Space size={8} align="start">
          <Form.Item name={['conditions', 'score', 'min']} label={t('automation.cond.scoreMin')} initialValue={1}>
            <InputNumber min={1} max={5} addonAfter="★" style={{ width: 100 }} />
          </Form.Item>
          <Form.Item name={['conditions', 'score', 'max']} label={t('automation.cond.scoreMax')} initialValue={5}>
            <InputNumber min={1} max={5} addonAfter="★" style={{ width: 100 }} />
          </Form.Item>
        </Space>
      ) : null}
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Form.Item name={['conditions', 'tiers']} label={t('automation.cond.tiers')}>
            <Select mode="tags" options={TIERS.map((x) => ({ value: x, label: x }))} data-testid="cond-tiers" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={['conditions', 'channels']} label={t('automation.cond.channels')}>
            <Checkbox.Group options={(['wecom_kf', 'web'] as const).map((c) => ({ value: c, label: t(`automation.channels.${c}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>{tags('tags_any', t('automation.cond.tagsAny'))}</Col>
        <Col xs={24} md={8}>{tags('tags_all', t('automation.cond.tagsAll'))}</Col>
        <Col xs={24} md={8}>{tags('tags_none', t('automation.cond.tagsNone'))}</Col>
        <Col xs={24} md={12}>
          <Form.Item name={['conditions', 'intents']} label={t('automation.cond.intents')} extra={t('automation.cond.intentsHint')}>
            <Select mode="multiple" allowClear optionFilterProp="label" options={intents.map((i) => ({ value: i.id, label: i.name }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={['conditions', 'served_by_human']} label={t('automation.cond.servedByHuman')}>
            <Radio.Group optionType="button" size="small" options={[
              { value: undefined as unknown as boolean, label: t('automation.cond.servedAny') },
              { value: true, label: t('automation.cond.servedYes') },
              { value: false, label: t('automation.cond.servedNo') },
            ]} />
          </Form.Item>
        </Col>
        {ev === 'ticket.created' || ev === 'sla.warning' ? (
          <>
            <Col xs={24} md={6}>
              <Form.Item name={['conditions', 'ticket_categories']} label={t('automation.cond.ticketCategories')}>
                <Select mode="multiple" allowClear options={(meta?.categories ?? []).map((c) => ({ value: c.id, label: c.name }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name={['conditions', 'ticket_priorities']} label={t('automation.cond.ticketPriorities')}>
                <Select mode="multiple" allowClear options={PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
              </Form.Item>
            </Col>
          </>
        ) : null}
      </Row>
      <Space wrap align="start" size={12}>
        <Form.Item label={t('automation.cond.timeWindow')}>
          <Switch
            checked={!!windowOn}
            onChange={(on) => form.setFieldValue(['conditions', 'time_window'], on ? { start: '09:00', end: '18:00', timezone: 'Asia/Shanghai' } : undefined)}
            data-testid="cond-window"
          />
        </Form.Item>
        {windowOn ? (
          <>
            <Form.Item name={['conditions', 'time_window', 'start']} label={t('automation.cond.from')}><HhmmInput /></Form.Item>
            <Form.Item name={['conditions', 'time_window', 'end']} label={t('automation.cond.to')}><HhmmInput /></Form.Item>
            <Form.Item name={['conditions', 'time_window', 'days']} label={t('automation.cond.days')}>
              <Checkbox.Group options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`admin.cal.day.${['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][d - 1]}`) }))} />
            </Form.Item>
            <Form.Item name={['conditions', 'time_window', 'timezone']} hidden><span /></Form.Item>
          </>
        ) : null}
      </Space>
    </Section>
  );
}

function ActionsSection() {
  const { t } = useTranslation();
  return (
    <Section n={3} title={t('automation.editor.then')} hint={t('automation.editor.vars', { vars: VARIABLES.map((v) => `{{${v}}}`).join(' ') })}>
      <Form.List name="actions">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f, i) => (
              <ActionCard key={f.key} name={f.name} index={i} onRemove={() => remove(f.name)} />
            ))}
            <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ type: 'tag', add: [] })} data-testid="action-add">{t('automation.editor.addAction')}</Button>
          </>
        )}
      </Form.List>
    </Section>
  );
}

const ACTION_DEFAULTS: Record<string, Values> = {
  send_message: { type: 'send_message', content: { type: 'text', text: '' }, fallback: 'sms_or_owner_task' },
  send_survey: { type: 'send_survey', head: '请为本次服务打分' },
  tag: { type: 'tag', add: [] },
  create_ticket: { type: 'create_ticket', title: '', priority: 'normal' },
  assign: { type: 'assign' },
  notify: { type: 'notify', to: {}, summary: '' },
  webhook: { type: 'webhook', url: 'https://', timeout_ms: 5000 },
};

function ActionCard({ name, index, onRemove }: { name: number; index: number; onRemove: () => void }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const users = useUsers();
  const { meta } = useTicketMeta();
  const type = Form.useWatch(['actions', name, 'type'], form) as string | undefined;
  const contentType = Form.useWatch(['actions', name, 'content', 'type'], form) as string | undefined;
  const p = (...k: (string | number)[]) => [name, ...k];
  const userOptions = users.map((u) => ({ value: u.username, label: `${u.display_name}（${u.username}）` }));
  const teams = useTeams();
  return (
    <Card size="small" className="adm-level" data-testid="action-card" data-type={type}
      title={
        <Space>
          <span className="aut-step aut-step-sub">{index + 1}</span>
          <Form.Item name={p('type')} noStyle>
            <Select
              style={{ width: 170 }}
              onChange={(v: string) => form.setFieldValue(['actions', name], { ...ACTION_DEFAULTS[v] })}
              options={ACTION_TYPES.map((a) => ({ value: a, label: t(`automation.actions.${a}`) }))}
              data-testid="action-type"
            />
          </Form.Item>
        </Space>
      }
      extra={<Button type="text" size="small" icon={<MinusCircleOutlined />} onClick={onRemove} aria-label={t('admin.remove')} />}
    >
      {type === 'tag' ? (
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name={p('add')} label={t('automation.act.tagAdd')}>
              <Select mode="tags" open={false} tokenSeparators={[',', '，']} placeholder={t('automation.cond.tagsPlaceholder')} data-testid="action-tag-add" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={p('remove')} label={t('automation.act.tagRemove')}>
              <Select mode="tags" open={false} tokenSeparators={[',', '，']} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      {type === 'send_message' ? (
        <>
          <Form.Item name={p('content', 'type')} style={{ marginBottom: 8 }}>
            <Radio.Group optionType="button" size="small" options={[{ value: 'text', label: t('automation.content.text') }, { value: 'link', label: t('automation.content.link') }]}
              onChange={(e) => form.setFieldValue(['actions', name, 'content'], e.target.value === 'text' ? { type: 'text', text: '' } : { type: 'link', title: '', url: 'https://' })} />
          </Form.Item>
          {contentType === 'text' ? (
            <Form.Item name={p('content', 'text')} label={t('automation.content.text')}>
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid="action-text" />
            </Form.Item>
          ) : null}
          {contentType === 'link' ? (
            <Row gutter={12}>
              <Col xs={24} md={12}><Form.Item name={p('content', 'title')} label={t('automation.content.title')}><Input maxLength={128} /></Form.Item></Col>
              <Col xs={24} md={12}><Form.Item name={p('content', 'url')} label={t('automation.content.url')}><Input /></Form.Item></Col>
              <Col span={24}><Form.Item name={p('content', 'desc')} label={t('automation.content.desc')}><Input maxLength={512} /></Form.Item></Col>
            </Row>
          ) : null}
          {contentType === 'menu' ? <Form.Item name={p('content')} hidden><span /></Form.Item> : null}
          <Row gutter={12}>
            <Col xs={24} md={10}>
              <Form.Item name={p('fallback')} label={t('automation.act.fallback')} tooltip={t('automation.act.fallbackHint')}>
                <Select options={FALLBACKS.map((x) => ({ value: x, label: t(`automation.fallback.${x}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={14}>
              <Form.Item name={p('sms_text')} label={t('automation.act.smsText')}>
                <Input maxLength={300} placeholder={t('automation.act.smsPlaceholder')} />
              </Form.Item>
            </Col>
          </Row>
        </>
      ) : null}
      {type === 'send_survey' ? (
        <Row gutter={12}>
          <Col xs={24} md={12}><Form.Item name={p('head')} label={t('automation.act.surveyHead')}><Input maxLength={300} /></Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name={p('tail')} label={t('automation.act.surveyTail')}><Input maxLength={300} /></Form.Item></Col>
        </Row>
      ) : null}
      {type === 'assign' ? (
        <Row gutter={12}>
          <Col xs={24} md={8}><Form.Item name={p('to_username')} label={t('automation.act.assignAgent')} extra={t('automation.act.assignHint')}><Select allowClear showSearch optionFilterProp="label" options={userOptions} data-testid="action-assign-agent" /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('to_team')} label={t('automation.act.assignTeam')}><Select allowClear options={teams.map((x) => ({ value: x.name, label: x.name }))} data-testid="action-assign-team" /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('note')} label={t('automation.act.assignNote')}><Input maxLength={200} /></Form.Item></Col>
        </Row>
      ) : null}
      {type === 'create_ticket' ? (
        <Row gutter={12}>
          <Col span={24}><Form.Item name={p('title')} label={t('automation.act.ticketTitle')}><Input maxLength={120} /></Form.Item></Col>
          <Col span={24}><Form.Item name={p('description')} label={t('automation.act.ticketDescription')}><Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={5000} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('category_id')} label={t('tickets.col.category')}><Select allowClear options={(meta?.categories ?? []).map((c) => ({ value: c.id, label: c.name }))} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('priority')} label={t('tickets.col.priority')}><Select options={PRIORITIES.map((x) => ({ value: x, label: t(`tickets.priority.${x}`) }))} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('assignee_username')} label={t('tickets.col.assignee')}><Select allowClear showSearch optionFilterProp="label" options={userOptions} /></Form.Item></Col>
        </Row>
      ) : null}
      {type === 'notify' ? (
        <Row gutter={12}>
          <Col xs={24} md={8}><Form.Item name={p('to', 'username')} label={t('automation.act.notifyUser')}><Select allowClear showSearch optionFilterProp="label" options={userOptions} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('to', 'email')} label={t('admin.dept.email')}><Input /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('to', 'phone')} label={t('admin.dept.phone')}><Input /></Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name={p('summary')} label={t('automation.act.summary')}><Input maxLength={200} /></Form.Item></Col>
          <Col xs={24} md={12}>
            <Form.Item name={p('channels')} label={t('automation.act.channels')}>
              <Checkbox.Group options={(['wecom', 'email', 'sms'] as const).map((c) => ({ value: c, label: t(`admin.channels.${c}`) }))} />
            </Form.Item>
          </Col>
          <Col span={24}><Form.Item name={p('detail')} label={t('automation.act.detail')}><Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} /></Form.Item></Col>
        </Row>
      ) : null}
      {type === 'webhook' ? (
        <Row gutter={12}>
          <Col xs={24} md={16}><Form.Item name={p('url')} label="URL" extra={t('automation.act.webhookHint')}><Input data-testid="action-url" /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name={p('timeout_ms')} label={t('automation.act.timeout')}><InputNumber min={100} max={30000} addonAfter="ms" style={{ width: '100%' }} /></Form.Item></Col>
          <Form.Item name={p('headers')} hidden><span /></Form.Item>
        </Row>
      ) : null}
    </Card>
  );
}
