import { useState } from 'react';
import { Button, Card, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { ArrowRightOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../training/common';
import { FormProblems, useSave, useTicketSettings, useUsers } from './common';
import type { AdminDepartment, Contact } from './types';

type ContactRow = Contact & { user_id: string };
/** contacts are a map by user id on the server, a list in the form */
type Values = { id?: string; name: string; head_user_id: string | null; next_manager_user_id: string | null; contacts: ContactRow[] };

/** Departments: the head (first escalation) and the next manager (second), and how to reach them. */
export default function DepartmentsPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const list = useTicketSettings<AdminDepartment>('/api/admin/departments');
  const users = useUsers();
  const [editing, setEditing] = useState<AdminDepartment | 'new' | null>(null);
  const { saving, problems, setProblems, save, remove } = useSave('/api/admin/departments', form, list.reload);
  const userName = (id: string | null) => (id ? users.find((u) => u.id === id)?.display_name ?? id : null);
  const head = Form.useWatch('head_user_id', form);
  const manager = Form.useWatch('next_manager_user_id', form);

  const open = (d: AdminDepartment | 'new') => {
    setProblems([]);
    form.resetFields();
    form.setFieldsValue(d === 'new' ? { name: '', head_user_id: null, next_manager_user_id: null, contacts: [] } : { ...d, contacts: Object.entries(d.contacts).map(([user_id, c]) => ({ user_id, ...c })) });
    setEditing(d);
  };
  // a chosen head or manager gets a contact row, so escalations can reach them
  const ensureContact = (userId: string | null) => {
    if (!userId) return;
    const rows: ContactRow[] = form.getFieldValue('contacts') ?? [];
    if (!rows.some((r) => r.user_id === userId)) form.setFieldValue('contacts', [...rows, { user_id: userId, name: userName(userId) ?? '' }]);
  };
  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const clean = (c: Contact) => Object.fromEntries(Object.entries(c).filter(([, x]) => typeof x === 'string' && x.trim()).map(([k, x]) => [k, (x as string).trim()]));
    const contacts = Object.fromEntries((v.contacts ?? []).map(({ user_id, ...c }) => [user_id, clean(c)]));
    const body = { name: v.name, head_user_id: v.head_user_id ?? null, next_manager_user_id: v.next_manager_user_id ?? null, contacts, id: editing === 'new' ? v.id || undefined : undefined };
    if (await save(editing === 'new' ? null : editing!.id, body)) setEditing(null);
  };

  const columns: ColumnsType<AdminDepartment> = [
    { title: t('admin.name'), dataIndex: 'name', width: 130, render: (v: string) => <span data-testid="department-name">{v}</span> },
    {
      title: t('admin.dept.chain'),
      render: (_, d) => (
        <Space size={4} wrap data-testid="department-chain">
          <Tag color="blue" className="tag-compact">{t('admin.dept.head')}：{userName(d.head_user_id) ?? t('admin.dept.unset')}</Tag>
          <ArrowRightOutlined style={{ color: '#bfbfbf' }} />
          <Tag color="purple" className="tag-compact">{t('admin.dept.manager')}：{userName(d.next_manager_user_id) ?? t('admin.dept.unset')}</Tag>
        </Space>
      ),
    },
    {
      title: t('admin.dept.contacts'),
      render: (_, d) => (
        <div className="adm-contacts">
          {Object.entries(d.contacts).map(([uid, c]) => (
            <div key={uid}>
              <b>{c.name || userName(uid)}</b> {[c.wecom_userid && `${t('admin.dept.wecom')} ${c.wecom_userid}`, c.email, c.phone].filter(Boolean).join(' · ')}
            </div>
          ))}
        </div>
      ),
    },
    { title: t('admin.dept.categories'), width: 160, render: (_, d) => d.categories.join('、') || '—' },
    { title: t('admin.tickets'), dataIndex: 'tickets', width: 70 },
    {
      title: '',
      width: 96,
      render: (_, d) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(d)} data-testid="department-edit" aria-label={t('admin.edit')} />
          <Popconfirm title={t('admin.confirmDelete', { name: d.name })} onConfirm={() => void remove(d.id)} disabled={d.tickets > 0 || d.categories.length > 0}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={d.tickets > 0 || d.categories.length > 0} aria-label={t('admin.delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  const userOptions = users.map((u) => ({ value: u.id, label: `${u.display_name}（${u.username}）` }));
  return (
    <div className="tr-page" data-testid="admin-departments">
      <PageHeader title={t('admin.nav.departments')} desc={t('admin.dept.desc')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="department-new">{t('admin.dept.new')}</Button>} />
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<AdminDepartment> rowKey="id" size="middle" loading={list.loading} dataSource={list.data?.items ?? []} columns={mobile ? columns.filter((_, i) => [0, 1, 5].includes(i)) : columns} pagination={false}
          onRow={(d) => ({ 'data-testid': 'department-row', 'data-id': d.id } as React.HTMLAttributes<HTMLElement>)} />
      </Card>
      <Drawer open={editing !== null} onClose={() => setEditing(null)} width={mobile ? '100%' : 680} title={editing === 'new' ? t('admin.dept.new') : t('admin.dept.edit')} destroyOnHidden
        extra={<Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="department-save">{t('admin.save')}</Button>}>
        <Form form={form} layout="vertical" data-testid="department-form">
          <FormProblems problems={problems} />
          <Space wrap size={12}>
            <Form.Item name="name" label={t('admin.name')} rules={[{ required: true, message: t('admin.required') }]}>
              <Input maxLength={40} style={{ width: 220 }} />
            </Form.Item>
            {editing === 'new' ? (
              <Form.Item name="id" label={t('admin.id')} tooltip={t('admin.idHint')}>
                <Input maxLength={40} style={{ width: 180 }} placeholder="dept_logistics" />
              </Form.Item>
            ) : null}
          </Space>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.dept.chainHint')}</Typography.Paragraph>
          <Space wrap size={12}>
            <Form.Item name="head_user_id" label={t('admin.dept.head')}>
              <Select allowClear showSearch optionFilterProp="label" style={{ width: 240 }} options={userOptions} onChange={ensureContact} data-testid="department-head" />
            </Form.Item>
            <Form.Item name="next_manager_user_id" label={t('admin.dept.manager')}>
              <Select allowClear showSearch optionFilterProp="label" style={{ width: 240 }} options={userOptions} onChange={ensureContact} data-testid="department-manager" />
            </Form.Item>
          </Space>
          <div className="adm-form-title">{t('admin.dept.contacts')}</div>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.dept.contactsHint')}</Typography.Paragraph>
          <Form.List name="contacts">
            {(fields, { add, remove: drop }) => (
              <>
                {fields.map((f) => {
                  const uid = form.getFieldValue(['contacts', f.name, 'user_id']) as string;
                  const role = uid && uid === head ? t('admin.dept.head') : uid && uid === manager ? t('admin.dept.manager') : null;
                  return (
                    <Card key={f.key} size="small" className="adm-level" title={<Space>{userName(uid) ?? t('admin.dept.pickUser')}{role ? <Tag className="tag-compact">{role}</Tag> : null}</Space>}
                      extra={<Button type="link" size="small" danger onClick={() => drop(f.name)}>{t('admin.remove')}</Button>}>
                      <Space wrap size={8}>
                        <Form.Item name={[f.name, 'user_id']} rules={[{ required: true, message: t('admin.required') }]} hidden={!!uid}>
                          <Select showSearch optionFilterProp="label" style={{ width: 200 }} options={userOptions} placeholder={t('admin.dept.pickUser')} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'wecom_userid']} label={t('admin.dept.wecom')}>
                          <Input style={{ width: 150 }} maxLength={64} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'email']} label={t('admin.dept.email')} rules={[{ type: 'email', message: t('admin.dept.badEmail') }]}>
                          <Input style={{ width: 210 }} maxLength={120} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'phone']} label={t('admin.dept.phone')}>
                          <Input style={{ width: 150 }} maxLength={20} />
                        </Form.Item>
                      </Space>
                    </Card>
                  );
                })}
                <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ user_id: undefined })}>{t('admin.dept.addContact')}</Button>
              </>
            )}
          </Form.List>
        </Form>
      </Drawer>
    </div>
  );
}
