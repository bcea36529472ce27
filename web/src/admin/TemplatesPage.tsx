import { useState } from 'react';
import { App as AntApp, Button, Card, Col, Drawer, Form, Input, Popconfirm, Row, Space, Switch, Tag, Typography } from 'antd';
import { EditOutlined, MailOutlined, MessageOutlined, WechatWorkOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import { PageHeader } from '../training/common';
import { FormProblems, useLoad, useSave } from './common';
import type { Template, TemplateItem } from './types';

type Values = { subject: string; body: string; sms?: string; urgent: boolean };

const fill = (text: string, sample: Record<string, string>) => text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g, (m, k: string) => sample[k] ?? m);
/** a Chinese SMS segment holds 70 characters */
const SMS_SEGMENT = 70;

/** Notification templates: the built-in text, the admin's edit, the variables and a live preview. */
export default function TemplatesPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const list = useLoad<{ items: TemplateItem[]; sample: Record<string, string> }>('/api/notifications/templates');
  const sample = list.data?.sample ?? {};
  const [editing, setEditing] = useState<TemplateItem | null>(null);
  const { saving, problems, setProblems, save } = useSave('/api/notifications/templates', form, list.reload);
  const watched = Form.useWatch([], form) as Values | undefined;

  const open = (it: TemplateItem) => {
    const cur: Template = it.override ?? it.default;
    setProblems([]);
    form.resetFields();
    form.setFieldsValue({ subject: cur.subject, body: cur.body, sms: cur.sms ?? '', urgent: !!cur.urgent });
    setEditing(it);
  };
  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !editing) return;
    if (await save(editing.name, { ...v, sms: v.sms?.trim() || undefined })) setEditing(null);
  };
  const reset = async (it: TemplateItem) => {
    try {
      await api(`/api/notifications/templates/${encodeURIComponent(it.name)}`, { method: 'DELETE' });
      toast.success(t('admin.tpl.resetDone'));
      await list.reload();
      setEditing(null);
    } catch (e) {
      toast.error(errMsg(e));
    }
  };
  const smsLen = (watched?.sms || watched?.body || '').length;

  return (
    <div className="tr-page" data-testid="admin-templates">
      <PageHeader title={t('admin.nav.templates')} desc={t('admin.tpl.desc')} />
      <Row gutter={[12, 12]}>
        {(list.data?.items ?? []).map((it) => {
          const cur = it.override ?? it.default;
          return (
            <Col key={it.name} xs={24} md={12} xl={8}>
              <Card
                size="small"
                loading={list.loading}
                title={<Space>{t(`admin.tpl.names.${it.name}`, { defaultValue: it.name })}{it.override ? <Tag color="blue" className="tag-compact">{t('admin.tpl.edited')}</Tag> : null}{cur.urgent ? <Tag color="red" className="tag-compact">{t('admin.tpl.urgent')}</Tag> : null}</Space>}
                extra={<Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(it)} data-testid="template-edit">{t('admin.edit')}</Button>}
                data-testid="template-card"
                data-name={it.name}
              >
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{it.name}</Typography.Text>
                <div className="adm-tpl-subject">{fill(cur.subject, sample)}</div>
                <Typography.Paragraph className="adm-tpl-body" ellipsis={{ rows: 3 }}>{fill(cur.body, sample)}</Typography.Paragraph>
              </Card>
            </Col>
          );
        })}
      </Row>
      <Drawer open={!!editing} onClose={() => setEditing(null)} width={mobile ? '100%' : 760} destroyOnHidden
        title={editing ? t(`admin.tpl.names.${editing.name}`, { defaultValue: editing.name }) : ''}
        extra={
          <Space>
            {editing?.override ? <Popconfirm title={t('admin.tpl.resetConfirm')} onConfirm={() => void reset(editing)}><Button>{t('admin.tpl.reset')}</Button></Popconfirm> : null}
            <Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="template-save">{t('admin.save')}</Button>
          </Space>
        }>
        {editing ? (
          <Row gutter={16}>
            <Col xs={24} md={14}>
              <Form form={form} layout="vertical" data-testid="template-form">
                <FormProblems problems={problems} />
                <div className="adm-vars">
                  <Typography.Text type="secondary">{t('admin.tpl.variables')}</Typography.Text>
                  {editing.variables.map((v) => <Tag key={v} className="tag-compact">{`{{${v}}}`}</Tag>)}
                </div>
                <Form.Item name="subject" label={t('admin.tpl.subject')} rules={[{ required: true, message: t('admin.required') }]}>
                  <Input maxLength={200} data-testid="template-subject" />
                </Form.Item>
                <Form.Item name="body" label={t('admin.tpl.body')} rules={[{ required: true, message: t('admin.required') }]}>
                  <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} maxLength={4000} data-testid="template-body" />
                </Form.Item>
                <Form.Item name="sms" label={t('admin.tpl.sms')} extra={t('admin.tpl.smsHint', { n: smsLen, segments: Math.max(1, Math.ceil(smsLen / SMS_SEGMENT)) })}>
                  <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={300} placeholder={t('admin.tpl.smsPlaceholder')} />
                </Form.Item>
                <Form.Item name="urgent" label={t('admin.tpl.urgent')} valuePropName="checked" extra={t('admin.tpl.urgentHint')}>
                  <Switch />
                </Form.Item>
              </Form>
            </Col>
            <Col xs={24} md={10}>
              <Card size="small" title={t('admin.tpl.preview')} className="adm-tpl-preview" data-testid="template-preview">
                <div className="adm-tpl-channel"><MailOutlined /> {t('admin.channels.email')}</div>
                <div className="adm-tpl-subject">{fill(watched?.subject ?? '', sample)}</div>
                <pre className="adm-tpl-pre">{fill(watched?.body ?? '', sample)}</pre>
                <div className="adm-tpl-channel"><WechatWorkOutlined /> {t('admin.channels.wecom')}</div>
                <pre className="adm-tpl-pre">{fill(watched?.body ?? '', sample)}</pre>
                <div className="adm-tpl-channel"><MessageOutlined /> {t('admin.channels.sms')}</div>
                <pre className="adm-tpl-pre">{fill(watched?.sms || watched?.body || '', sample)}</pre>
              </Card>
            </Col>
          </Row>
        ) : null}
      </Drawer>
    </div>
  );
}
