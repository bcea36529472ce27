import { useState } from 'react';
import { Button, Card, Checkbox, Drawer, Form, Input, InputNumber, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DeleteOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../training/common';
import { FormProblems, useLoad, useSave, useTicketSettings } from './common';
import { CONTEXT_KINDS, type AdminCategory, type AdminDepartment } from './types';

type Values = Omit<AdminCategory, 'tickets' | 'id'> & { id?: string };
const FIELD_TYPES = ['text', 'number', 'select', 'date'] as const;
const EMPTY: Values = { name: '', sort: 100, context_kind: 'none', default_department_id: null, fields: [] };

/** Ticket categories: what each attaches from the CRM, where it goes, and its custom fields. */
export default function CategoriesPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const list = useTicketSettings<AdminCategory>('/api/admin/ticket-categories');
  const depts = useLoad<{ items: AdminDepartment[] }>('/api/admin/departments').data?.items ?? [];
  const [editing, setEditing] = useState<AdminCategory | 'new' | null>(null);
  const { saving, problems, setProblems, save, remove } = useSave('/api/admin/ticket-categories', form, list.reload);

  const open = (c: AdminCategory | 'new') => {
    setProblems([]);
    form.resetFields();
    form.setFieldsValue(c === 'new' ? EMPTY : c);
    setEditing(c);
  };
  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const fields = (v.fields ?? []).map((f) => ({ ...f, ...(f.type === 'select' ? { options: f.options ?? [] } : { options: undefined }), required: !!f.required }));
    // the id is chosen once, at creation (tickets refer to it)
    const body = { ...v, fields, id: editing === 'new' ? v.id || undefined : undefined };
    if (await save(editing === 'new' ? null : editing!.id, body)) setEditing(null);
  };

  const columns: ColumnsType<AdminCategory> = [
    { title: t('admin.sort'), dataIndex: 'sort', width: 64 },
    { title: t('admin.name'), dataIndex: 'name', width: 140, render: (v: string, c) => <span data-testid="category-name">{v} <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.id}</Typography.Text></span> },
    { title: t('admin.cat.context'), width: 130, render: (_, c) => t(`admin.cat.contextKind.${c.context_kind}`) },
    { title: t('admin.cat.department'), width: 120, render: (_, c) => depts.find((d) => d.id === c.default_department_id)?.name ?? '—' },
    {
      title: t('admin.cat.fields'),
      render: (_, c) => (
        <Space size={2} wrap>
          {c.fields.map((f) => (
            <Tag key={f.key} className="tag-compact">{f.label}{f.required ? ' *' : ''} · {t(`admin.cat.type.${f.type}`)}</Tag>
          ))}
        </Space>
      ),
    },
    { title: t('admin.tickets'), dataIndex: 'tickets', width: 70 },
    {
      title: '',
      width: 96,
      render: (_, c) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(c)} data-testid="category-edit" aria-label={t('admin.edit')} />
          <Popconfirm title={t('admin.confirmDelete', { name: c.name })} onConfirm={() => void remove(c.id)} disabled={c.tickets > 0}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={c.tickets > 0} aria-label={t('admin.delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <div className="tr-page" data-testid="admin-categories">
      <PageHeader title={t('admin.nav.categories')} desc={t('admin.cat.desc')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="category-new">{t('admin.cat.new')}</Button>} />
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<AdminCategory> rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} columns={mobile ? columns.filter((_, i) => [1, 4, 6].includes(i)) : columns} pagination={false}
          onRow={(c) => ({ 'data-testid': 'category-row', 'data-id': c.id } as React.HTMLAttributes<HTMLElement>)} />
      </Card>
      <Drawer open={editing !== null} onClose={() => setEditing(null)} width={mobile ? '100%' : 720} title={editing === 'new' ? t('admin.cat.new') : t('admin.cat.edit')} destroyOnHidden
        extra={<Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="category-save">{t('admin.save')}</Button>}>
        <Form form={form} layout="vertical" initialValues={EMPTY} data-testid="category-form">
          <FormProblems problems={problems} />
          <Space wrap size={12} align="start">
            <Form.Item name="name" label={t('admin.name')} rules={[{ required: true, message: t('admin.required') }]}>
              <Input maxLength={40} style={{ width: 200 }} data-testid="category-field-name" />
            </Form.Item>
            {editing === 'new' ? (
              <Form.Item name="id" label={t('admin.id')} tooltip={t('admin.idHint')}>
                <Input maxLength={40} style={{ width: 160 }} placeholder="after_sales" />
              </Form.Item>
            ) : null}
            <Form.Item name="sort" label={t('admin.sort')}>
              <InputNumber min={0} max={100000} style={{ width: 90 }} />
            </Form.Item>
          </Space>
          <Space wrap size={12}>
            <Form.Item name="context_kind" label={t('admin.cat.context')} tooltip={t('admin.cat.contextHint')}>
              <Select style={{ width: 220 }} options={CONTEXT_KINDS.map((k) => ({ value: k, label: t(`admin.cat.contextKind.${k}`) }))} />
            </Form.Item>
            <Form.Item name="default_department_id" label={t('admin.cat.department')}>
              <Select allowClear style={{ width: 200 }} options={depts.map((d) => ({ value: d.id, label: d.name }))} />
            </Form.Item>
          </Space>
          <div className="adm-form-title">{t('admin.cat.fields')}</div>
          <Form.List name="fields">
            {(fields, { add, remove: drop, move }) => (
              <div className="adm-fields">
                {fields.map((f, i) => (
                  <div key={f.key} className="adm-field-row" data-testid="custom-field">
                    <Form.Item name={[f.name, 'label']} rules={[{ required: true, message: t('admin.required') }]}>
                      <Input placeholder={t('admin.cat.label')} style={{ width: 130 }} maxLength={40} data-testid="custom-field-label" />
                    </Form.Item>
                    <Form.Item name={[f.name, 'key']} rules={[{ required: true, message: t('admin.required') }]}>
                      <Input placeholder={t('admin.cat.key')} style={{ width: 120 }} maxLength={40} data-testid="custom-field-key" />
                    </Form.Item>
                    <Form.Item name={[f.name, 'type']}>
                      <Select style={{ width: 96 }} options={FIELD_TYPES.map((x) => ({ value: x, label: t(`admin.cat.type.${x}`) }))} data-testid="custom-field-type" />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate={(a, b) => a.fields?.[i]?.type !== b.fields?.[i]?.type}>
                      {() =>
                        form.getFieldValue(['fields', f.name, 'type']) === 'select' ? (
                          <Form.Item name={[f.name, 'options']}>
                            <Select mode="tags" placeholder={t('admin.cat.options')} style={{ width: 200 }} open={false} tokenSeparators={[',', '，']} />
                          </Form.Item>
                        ) : null
                      }
                    </Form.Item>
                    <Form.Item name={[f.name, 'required']} valuePropName="checked">
                      <Checkbox>{t('admin.cat.required')}</Checkbox>
                    </Form.Item>
                    <Space size={0}>
                      <Button type="text" size="small" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label="up">↑</Button>
                      <Button type="text" size="small" icon={<MinusCircleOutlined />} onClick={() => drop(f.name)} aria-label={t('admin.remove')} />
                    </Space>
                  </div>
                ))}
                <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ key: '', label: '', type: 'text', required: false })} data-testid="custom-field-add">
                  {t('admin.cat.addField')}
                </Button>
              </div>
            )}
          </Form.List>
        </Form>
      </Drawer>
    </div>
  );
}
