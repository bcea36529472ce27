import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Form, Input, Modal, Popconfirm, Radio, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';

type Scope = 'shared' | 'team' | 'user';
export type QuickReply = { id: string; hotkey: string; title: string; text: string; scope: Scope };
type Editing = { hotkey: string; scope: Scope; title: string; text: string };

const HOTKEYS = Array.from({ length: 12 }, (_, i) => `F${i + 1}`);
const SCOPES: Scope[] = ['user', 'team', 'shared'];
const SCOPE_COLOR: Record<Scope, string> = { user: 'blue', team: 'green', shared: 'default' };
const MANAGERS = ['admin', 'supervisor'];

/**
 * The agent's F1–F12 templates, every layer shown (own, team, shared): agents edit their own,
 * supervisors also their team's and everybody's. The most personal one is what the key inserts.
 */
export default function QuickReplyEditor({ open, onClose, onChanged }: { open: boolean; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [layers, setLayers] = useState<QuickReply[]>([]);
  const [teamId, setTeamId] = useState<string | null>(null);
  const [role, setRole] = useState('agent');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<Editing>();

  const load = useCallback(async () => {
    const r = await api<{ items: QuickReply[]; team_id: string | null }>('/api/quick-replies/layers');
    setLayers(r.items);
    setTeamId(r.team_id);
  }, []);
  useEffect(() => {
    if (!open) return;
    void load();
    api<{ role: string }>('/api/agents/me/status').then((me) => setRole(me.role), () => undefined);
  }, [open, load]);

  const mayEdit = (s: Scope) => s === 'user' || (MANAGERS.includes(role) && (s === 'shared' || !!teamId));
  const effective = (hotkey: string) => SCOPES.map((s) => layers.find((l) => l.hotkey === hotkey && l.scope === s)).find(Boolean);

  const edit = (hotkey: string) => {
    const current = effective(hotkey);
    const scope = current && mayEdit(current.scope) ? current.scope : 'user';
    const value = { hotkey, scope, title: current?.title ?? '', text: current?.text ?? '' };
    setEditing(value);
    form.setFieldsValue(value);
  };
  const save = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await api(`/api/quick-replies/${editing!.hotkey}`, { method: 'PUT', body: { scope: v.scope, title: v.title, text: v.text } });
      toast.success(t('quick.saved'));
      setEditing(null);
      await load();
      onChanged();
    } catch (e) {
      toast.error(t('quick.failed', { reason: errMsg(e) }));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (r: QuickReply) => {
    try {
      await api(`/api/quick-replies/${r.hotkey}?scope=${r.scope}`, { method: 'DELETE' });
      await load();
      onChanged();
    } catch (e) {
      toast.error(t('quick.failed', { reason: errMsg(e) }));
    }
  };

  return (
    <Modal open={open} onCancel={onClose} footer={null} width={760} title={t('quick.title')} destroyOnHidden>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('quick.hint')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="hotkey"
        pagination={false}
        dataSource={HOTKEYS.map((hotkey) => ({ hotkey }))}
        columns={[
          { title: t('quick.key'), dataIndex: 'hotkey', width: 64, render: (k: string) => <b>{k}</b> },
          {
            title: t('quick.template'),
            key: 'layers',
            render: (_, { hotkey }) => {
              const rows = SCOPES.flatMap((s) => layers.filter((l) => l.hotkey === hotkey && l.scope === s));
              if (!rows.length) return <Typography.Text type="secondary">—</Typography.Text>;
              return (
                <Space direction="vertical" size={2} style={{ width: '100%' }}>
                  {rows.map((r, i) => (
                    <Space key={r.id} size={4} style={{ opacity: i === 0 ? 1 : 0.5 }} data-testid={`quick-layer-${hotkey}-${r.scope}`}>
                      <Tag color={SCOPE_COLOR[r.scope]}>{t(`quick.scope.${r.scope}`)}</Tag>
                      <Typography.Text strong={i === 0} ellipsis style={{ maxWidth: 420 }}>{r.title} · {r.text}</Typography.Text>
                      {mayEdit(r.scope) ? (
                        <Popconfirm title={t('quick.removeConfirm')} onConfirm={() => void remove(r)}>
                          <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('quick.remove')} />
                        </Popconfirm>
                      ) : null}
                    </Space>
                  ))}
                </Space>
              );
            },
          },
          {
            title: '',
            key: 'edit',
            width: 56,
            render: (_, { hotkey }) => <Button type="text" icon={<EditOutlined />} onClick={() => edit(hotkey)} aria-label={t('quick.edit')} data-testid={`quick-edit-${hotkey}`} />,
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing ? t('quick.editKey', { key: editing.hotkey }) : ''}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        okText={t('quick.save')}
        confirmLoading={saving}
        okButtonProps={{ 'data-testid': 'quick-save' } as React.ComponentProps<typeof Button>}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item name="scope" label={t('quick.for')}>
            <Radio.Group optionType="button">
              {SCOPES.map((s) => (
                <Radio.Button key={s} value={s} disabled={!mayEdit(s)}>{t(`quick.scope.${s}`)}</Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item name="title" label={t('quick.name')} rules={[{ required: true, whitespace: true, max: 40 }]}>
            <Input maxLength={40} data-testid="quick-title" />
          </Form.Item>
          <Form.Item name="text" label={t('quick.text')} rules={[{ required: true, whitespace: true, max: 2000 }]}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} data-testid="quick-text" />
          </Form.Item>
        </Form>
      </Modal>
    </Modal>
  );
}
