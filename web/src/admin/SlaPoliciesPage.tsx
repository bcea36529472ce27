import { useState } from 'react';
import { Button, Card, Checkbox, Drawer, Form, Input, InputNumber, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DeleteOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../training/common';
import { PRIORITIES } from '../tickets/types';
import { FormProblems, minutesLabel, useLoad, useSave, useTicketSettings } from './common';
import { ESCALATION_ACTIONS, TIERS, type AdminCategory, type BusinessCalendar, type SlaPolicy } from './types';

type Values = Omit<SlaPolicy, 'id' | 'calendar_name' | 'tickets'>;
const EMPTY: Values = {
  name: '', sort: 100, match: {}, calendar_id: null, first_response_minutes: 120, resolution_minutes: 1440, warn_before_minutes: 30,
  escalation: [{ after_minutes: 120, target: 'first_response', actions: ['flag_red', 'notify_department_head'] }],
};

/** SLA policies: which tickets (priority, category, tier), targets in business time, the escalation ladder. */
export default function SlaPoliciesPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const list = useTicketSettings<SlaPolicy>('/api/admin/sla-policies');
  const cats = useLoad<{ items: AdminCategory[] }>('/api/admin/ticket-categories').data?.items ?? [];
  const cals = useLoad<{ items: BusinessCalendar[] }>('/api/admin/calendars').data?.items ?? [];
  const [editing, setEditing] = useState<SlaPolicy | 'new' | null>(null);
  const { saving, problems, setProblems, save, remove } = useSave('/api/admin/sla-policies', form, list.reload);
  const catName = (id: string) => cats.find((c) => c.id === id)?.name ?? id;

  const open = (p: SlaPolicy | 'new') => {
    setProblems([]);
    form.resetFields();
    form.setFieldsValue(p === 'new' ? { ...EMPTY, calendar_id: cals[0]?.id ?? null } : p);
    setEditing(p);
  };
  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const match = Object.fromEntries(Object.entries(v.match ?? {}).filter(([, x]) => Array.isArray(x) && x.length));
    if (await save(editing === 'new' ? null : editing!.id, { ...v, match, escalation: v.escalation ?? [] })) setEditing(null);
  };

  const matchTags = (p: SlaPolicy) => {
    const m = p.match;
    const tags = [
      ...(m.priorities ?? []).map((x) => <Tag key={`p${x}`} color="orange" className="tag-compact">{t(`tickets.priority.${x}`)}</Tag>),
      ...(m.categories ?? []).map((x) => <Tag key={`c${x}`} color="blue" className="tag-compact">{catName(x)}</Tag>),
      ...(m.tiers ?? []).map((x) => <Tag key={`t${x}`} color="gold" className="tag-compact">{x}</Tag>),
    ];
    return tags.length ? <Space size={2} wrap>{tags}</Space> : <Typography.Text type="secondary">{t('admin.sla.matchAll')}</Typography.Text>;
  };
  const columns: ColumnsType<SlaPolicy> = [
    { title: t('admin.sort'), dataIndex: 'sort', width: 64 },
    { title: t('admin.name'), dataIndex: 'name', render: (v: string) => <span data-testid="sla-name">{v}</span> },
    { title: t('admin.sla.match'), render: (_, p) => matchTags(p) },
    { title: t('admin.sla.calendar'), dataIndex: 'calendar_name', width: 150, ellipsis: true },
    { title: t('admin.sla.firstResponse'), width: 100, render: (_, p) => <span data-testid="sla-first-response">{minutesLabel(t, p.first_response_minutes)}</span> },
    { title: t('admin.sla.resolution'), width: 100, render: (_, p) => minutesLabel(t, p.resolution_minutes) },
    { title: t('admin.sla.warn'), width: 90, render: (_, p) => minutesLabel(t, p.warn_before_minutes) },
    {
      title: t('admin.sla.ladder'),
      width: 330,
      render: (_, p) => (
        <div className="adm-ladder">
          {p.escalation.map((l, i) => (
            <div key={i}>
              <Tag className="tag-compact" color={i === 0 ? 'orange' : 'red'}>L{i + 1}</Tag>
              {t(`admin.sla.target.${l.target}`)} {minutesLabel(t, l.after_minutes)} → {l.actions.map((a) => t(`admin.sla.actionShort.${a}`)).join('、')}
            </div>
          ))}
        </div>
      ),
    },
    {
      title: '',
      width: 96,
      render: (_, p) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(p)} data-testid="sla-edit" aria-label={t('admin.edit')} />
          <Popconfirm title={t('admin.confirmDelete', { name: p.name })} onConfirm={() => void remove(p.id)} disabled={p.tickets > 0}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={p.tickets > 0} aria-label={t('admin.delete')} title={p.tickets > 0 ? t('admin.inUseTickets', { n: p.tickets }) : undefined} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <div className="tr-page" data-testid="admin-sla">
      <PageHeader title={t('admin.nav.sla')} desc={t('admin.sla.desc')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="sla-new">{t('admin.sla.new')}</Button>} />
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<SlaPolicy>
          rowKey="id"
          size="middle"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          columns={mobile ? columns.filter((c, i) => [1, 4, 7].includes(i)) : columns}
          pagination={false}
          scroll={{ x: mobile ? undefined : 1000 }}
          onRow={(p) => ({ 'data-testid': 'sla-row', 'data-id': p.id } as React.HTMLAttributes<HTMLElement>)}
        />
      </Card>
      <Drawer
        open={editing !== null}
        onClose={() => setEditing(null)}
        width={mobile ? '100%' : 640}
        title={editing === 'new' ? t('admin.sla.new') : t('admin.sla.edit')}
        destroyOnHidden
        extra={<Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="sla-save">{t('admin.save')}</Button>}
      >
        <Form form={form} layout="vertical" data-testid="sla-form" initialValues={EMPTY}>
          <FormProblems problems={problems} />
          <Form.Item name="name" label={t('admin.name')} rules={[{ required: true, message: t('admin.required') }]}>
            <Input maxLength={80} data-testid="sla-field-name" />
          </Form.Item>
          <Space wrap size={12}>
            <Form.Item name="sort" label={t('admin.sla.order')} tooltip={t('admin.sla.orderHint')}>
              <InputNumber min={0} max={100000} style={{ width: 110 }} />
            </Form.Item>
            <Form.Item name="calendar_id" label={t('admin.sla.calendar')} rules={[{ required: true, message: t('admin.required') }]}>
              <Select style={{ width: 280 }} options={cals.map((c) => ({ value: c.id, label: c.name }))} data-testid="sla-calendar" />
            </Form.Item>
          </Space>
          <div className="adm-form-title">{t('admin.sla.match')}</div>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>{t('admin.sla.matchHint')}</Typography.Paragraph>
          <Form.Item name={['match', 'priorities']} label={t('admin.sla.priorities')}>
            <Select mode="multiple" allowClear options={PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} data-testid="sla-priorities" />
          </Form.Item>
          <Form.Item name={['match', 'categories']} label={t('admin.sla.categories')}>
            <Select mode="multiple" allowClear options={cats.map((c) => ({ value: c.id, label: c.name }))} />
          </Form.Item>
          <Form.Item name={['match', 'tiers']} label={t('admin.sla.tiers')}>
            <Select mode="tags" allowClear options={TIERS.map((x) => ({ value: x, label: x }))} />
          </Form.Item>
          <div className="adm-form-title">{t('admin.sla.targets')}</div>
          <Space wrap size={12}>
            <Form.Item name="first_response_minutes" label={t('admin.sla.firstResponse')}>
              <InputNumber min={1} max={525600} addonAfter={t('admin.minutes')} style={{ width: 170 }} data-testid="sla-field-first" />
            </Form.Item>
            <Form.Item name="resolution_minutes" label={t('admin.sla.resolution')}>
              <InputNumber min={1} max={525600} addonAfter={t('admin.minutes')} style={{ width: 170 }} data-testid="sla-field-resolution" />
            </Form.Item>
            <Form.Item name="warn_before_minutes" label={t('admin.sla.warn')} tooltip={t('admin.sla.warnHint')}>
              <InputNumber min={0} max={10080} addonAfter={t('admin.minutes')} style={{ width: 170 }} data-testid="sla-field-warn" />
            </Form.Item>
          </Space>
          <div className="adm-form-title">{t('admin.sla.ladder')}</div>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>{t('admin.sla.ladderHint')}</Typography.Paragraph>
          <Form.List name="escalation">
            {(fields, { add, remove: drop }) => (
              <>
                {fields.map((f, i) => (
                  <Card key={f.key} size="small" className="adm-level" title={t('admin.sla.level', { n: i + 1 })} extra={<Button type="text" size="small" icon={<MinusCircleOutlined />} onClick={() => drop(f.name)} aria-label={t('admin.remove')} />} data-testid="sla-level">
                    <Space wrap size={12}>
                      <Form.Item name={[f.name, 'target']} label={t('admin.sla.clock')}>
                        <Select style={{ width: 140 }} options={(['first_response', 'resolution'] as const).map((x) => ({ value: x, label: t(`admin.sla.target.${x}`) }))} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'after_minutes']} label={t('admin.sla.after')} rules={[{ required: true, message: t('admin.required') }]}>
                        <InputNumber min={1} max={525600} addonAfter={t('admin.minutes')} style={{ width: 170 }} />
                      </Form.Item>
                    </Space>
                    <Form.Item name={[f.name, 'actions']} label={t('admin.sla.do')} rules={[{ required: true, message: t('admin.sla.needAction') }]} style={{ marginBottom: 0 }}>
                      <Checkbox.Group className="adm-actions" options={ESCALATION_ACTIONS.map((a) => ({ value: a, label: t(`admin.sla.action.${a}`) }))} />
                    </Form.Item>
                  </Card>
                ))}
                <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ target: 'first_response', after_minutes: 480, actions: ['escalate_next_manager', 'sms'] })} data-testid="sla-add-level">
                  {t('admin.sla.addLevel')}
                </Button>
              </>
            )}
          </Form.List>
        </Form>
      </Drawer>
    </div>
  );
}
