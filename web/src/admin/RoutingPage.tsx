import { useEffect } from 'react';
import { Button, Card, Col, Form, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { RoutingSettings } from '../../../server/src/routing/settings';
import { PageHeader } from '../training/common';
import { FormProblems, useLoad, useSave, useTeams } from './common';

/**
 * 路由与排队: which team owns a skill or a knowledge-base category, what customers hear while
 * they wait (position notices, within WeCom's reply allowance), overflow between teams, and when
 * they are offered leave-a-message (a ticket).
 */
export default function RoutingPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<RoutingSettings>();
  const settings = useLoad<RoutingSettings>('/api/routing/settings');
  const { saving, problems, save } = useSave('/api/routing', form, settings.reload);
  const teams = useTeams().map((x) => ({ value: x.name, label: x.name }));
  const noticesOn = Form.useWatch(['queue_notice', 'enabled'], form) as boolean | undefined;

  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);

  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (v) await save('settings', v);
  };
  const num = (name: (string | number)[], label: string, min: number, max: number, unit?: string, extra?: string) => (
    <Form.Item name={name} label={label} extra={extra}>
      <InputNumber min={min} max={max} addonAfter={unit} style={{ width: '100%' }} />
    </Form.Item>
  );

  return (
    <div className="tr-page" data-testid="admin-routing">
      <PageHeader title={t('admin.nav.routing')} desc={t('admin.routing.desc')} />
      <FormProblems problems={problems} />
      <Form form={form} layout="vertical" requiredMark={false}>
        <Card size="small" title={t('admin.routing.teams')} style={{ marginBottom: 12 }}>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.routing.teamsHint')}</Typography.Paragraph>
          <Row gutter={24}>
            <Col xs={24} lg={12}><TeamList name="skill_teams" field="skill" label={t('admin.routing.skill')} teams={teams} add={t('admin.routing.addSkill')} /></Col>
            <Col xs={24} lg={12}><TeamList name="category_teams" field="category" label={t('admin.routing.category')} teams={teams} add={t('admin.routing.addCategory')} /></Col>
          </Row>
        </Card>

        <Card size="small" title={t('admin.routing.notices')} style={{ marginBottom: 12 }}
          extra={<Form.Item name={['queue_notice', 'enabled']} valuePropName="checked" noStyle><Switch data-testid="routing-notices" /></Form.Item>}>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.routing.noticesHint')}</Typography.Paragraph>
          <Row gutter={12}>
            <Col xs={24} md={8}><Form.Item name={['queue_notice', 'text']} label={t('admin.routing.text')}><Input.TextArea autoSize maxLength={300} disabled={!noticesOn} /></Form.Item></Col>
            <Col xs={24} md={8}><Form.Item name={['queue_notice', 'text_next']} label={t('admin.routing.textNext')}><Input.TextArea autoSize maxLength={300} disabled={!noticesOn} /></Form.Item></Col>
            <Col xs={24} md={8}><Form.Item name={['queue_notice', 'text_no_estimate']} label={t('admin.routing.textNoEstimate')}><Input.TextArea autoSize maxLength={300} disabled={!noticesOn} /></Form.Item></Col>
            <Col xs={12} md={6}>{num(['queue_notice', 'min_interval_s'], t('admin.routing.minInterval'), 0, 86_400, t('admin.routing.seconds'))}</Col>
            <Col xs={12} md={6}>{num(['queue_notice', 'min_position_change'], t('admin.routing.minChange'), 1, 1000)}</Col>
            <Col xs={12} md={6}>{num(['queue_notice', 'max_per_conversation'], t('admin.routing.maxPer'), 1, 20)}</Col>
            <Col xs={12} md={6}>{num(['queue_notice', 'keep_reply_slots'], t('admin.routing.keepSlots'), 1, 4, undefined, t('admin.routing.keepSlotsHint'))}</Col>
          </Row>
        </Card>

        <Card size="small" title={t('admin.routing.overflow')} style={{ marginBottom: 12 }}>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.routing.overflowHint')}</Typography.Paragraph>
          <Form.List name="overflow">
            {(fields, { add, remove }) => (
              <Space direction="vertical" style={{ width: '100%' }}>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="baseline" data-testid="overflow-rule">
                    <Form.Item name={[f.name, 'from_team']} rules={[{ required: true, message: t('admin.required') }]} noStyle>
                      <Select style={{ width: 140 }} options={teams} placeholder={t('admin.routing.fromTeam')} data-testid="overflow-from" />
                    </Form.Item>
                    <span>{t('admin.routing.waitsMore')}</span>
                    <Form.Item name={[f.name, 'after_minutes']} rules={[{ required: true, message: t('admin.required') }]} noStyle>
                      <InputNumber min={1} max={1440} addonAfter={t('admin.minutes')} style={{ width: 130 }} data-testid="overflow-minutes" />
                    </Form.Item>
                    <span>{t('admin.routing.moveTo')}</span>
                    <Form.Item name={[f.name, 'to_team']} rules={[{ required: true, message: t('admin.required') }]} noStyle>
                      <Select style={{ width: 140 }} options={teams} placeholder={t('admin.routing.toTeam')} data-testid="overflow-to" />
                    </Form.Item>
                    <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)} aria-label={t('admin.remove')} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ after_minutes: 5 })} data-testid="overflow-add">{t('admin.routing.addOverflow')}</Button>
              </Space>
            )}
          </Form.List>
        </Card>

        <Card size="small" title={t('admin.routing.leave')} style={{ marginBottom: 12 }}>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.routing.leaveHint')}</Typography.Paragraph>
          <Row gutter={12}>
            <Col xs={24} md={8}>
              <Form.Item name={['leave_message', 'outside_hours']} label={t('admin.routing.outsideHours')} valuePropName="checked"><Switch data-testid="routing-outside-hours" /></Form.Item>
            </Col>
            <Col xs={12} md={8}>{num(['leave_message', 'max_queue_length'], t('admin.routing.maxQueue'), 1, 100_000, undefined, t('admin.routing.emptyNoLimit'))}</Col>
            <Col xs={12} md={8}>{num(['leave_message', 'max_wait_minutes'], t('admin.routing.maxWait'), 1, 10_080, t('admin.minutes'), t('admin.routing.emptyNoLimit'))}</Col>
            <Col span={24}><Form.Item name={['leave_message', 'text']} label={t('admin.routing.leaveText')}><Input maxLength={300} /></Form.Item></Col>
          </Row>
        </Card>
        <Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="routing-save">{t('admin.save')}</Button>
      </Form>
    </div>
  );
}

/** one "X → team" list of the settings (skill → team, category → team) */
function TeamList(p: { name: 'skill_teams' | 'category_teams'; field: 'skill' | 'category'; label: string; teams: { value: string; label: string }[]; add: string }) {
  const { t } = useTranslation();
  return (
    <Form.List name={p.name}>
      {(fields, { add, remove }) => (
        <Space direction="vertical" style={{ width: '100%' }} data-testid={p.name}>
          <Typography.Text strong>{p.label} → {t('admin.routing.team')}</Typography.Text>
          {fields.map((f) => (
            <Space key={f.key} wrap align="baseline" data-testid="team-row">
              <Form.Item name={[f.name, p.field]} rules={[{ required: true, whitespace: true, message: t('admin.required') }]} noStyle>
                <Input style={{ width: 160 }} maxLength={p.field === 'skill' ? 32 : 64} placeholder={p.label} />
              </Form.Item>
              <span>→</span>
              <Form.Item name={[f.name, 'team']} rules={[{ required: true, message: t('admin.required') }]} noStyle>
                <Select style={{ width: 140 }} options={p.teams} placeholder={t('admin.routing.team')} data-testid="team-select" />
              </Form.Item>
              <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)} aria-label={t('admin.remove')} />
            </Space>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>{p.add}</Button>
        </Space>
      )}
    </Form.List>
  );
}
